"""Masking contact details in the delivery log, so that a screen share or a screenshot does not leak them."""

MASK = "•"


def mask_email(address: str) -> str:
    """Keep the first character of the local part and the domain: ``a•••@agency.example``."""
    local, at, domain = address.partition("@")
    if not at:
        return mask_other(address)
    return f"{local[:1]}{MASK * 3}@{domain}"


def mask_phone(number: str) -> str:
    """Hide every digit but the last three, keeping the layout: ``+•• •••• •••123``."""
    total = sum(char.isdigit() for char in number)
    seen = 0
    masked = []
    for char in number:
        if char.isdigit():
            seen += 1
            masked.append(char if seen > total - 3 else MASK)
        else:
            masked.append(char)
    return "".join(masked)


def mask_other(value: str) -> str:
    """Keep the first three characters of anything else, such as a Pushover user key or an ntfy topic."""
    return f"{value[:3]}{MASK * 6}" if value else ""


def mask_destination(value: str) -> str:
    """Mask an address whatever its kind: email, phone number or a provider's key."""
    if "@" in value:
        return mask_email(value)
    digits = sum(char.isdigit() for char in value)
    if digits >= 7 and all(char.isdigit() or char in "+ ()-." for char in value):
        return mask_phone(value)
    return mask_other(value)


def mask_text(text: str) -> str:
    """Mask every email address and +-prefixed phone number inside free text, such as a provider's error."""
    from oohdesk.operations.logs import EMAIL, PHONE

    text = EMAIL.sub(lambda match: mask_email(match.group(0)), text)
    return PHONE.sub(lambda match: mask_phone(match.group(0)), text)
