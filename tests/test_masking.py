import pytest

from oohdesk.paging.channels import mask_destination


@pytest.mark.parametrize("kind, address, masked", [
    ("pushover", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "uQiR" + "•" * 24 + "sG"),
    ("voice", "+447700900123", "+44" + "•" * 7 + "123"),
    ("sms", "+447700900123", "+44" + "•" * 7 + "123"),
    ("ntfy", "alice-pages-7f3k2q", "ali" + "•" * 15),
    ("email", "alice@agency.example", "a••••@agency.example"),
    ("demo_phone", "", ""),
    ("unknown_kind", "secret-value", "se••••••••ue"),
])
def test_destination_masked(kind, address, masked):
    assert mask_destination(kind, address) == masked
