from django.urls import path

from oohdesk.paging import views
from oohdesk.paging.channels.pushover import views as pushover
from oohdesk.paging.channels.twilio import views as twilio

urlpatterns = [
    path("ack/<str:token>/", views.ack_link, name="page-ack-link"),
    path("ack-action/<str:token>/", views.ack_action, name="ack-action"),
    path("test-pages/<str:token>/", views.test_page_confirm, name="test-page-confirm"),
    path("phone/<int:member_id>/", views.demo_phone, name="demo-phone"),
    path("me/contact-methods/", views.contact_methods, name="contact-methods"),
    path("channels/pushover/callback/<str:token>/", pushover.callback, name="pushover-callback"),
    path("channels/twilio/voice/<int:attempt_id>/answer/", twilio.voice_answer, name="twilio-voice-answer"),
    path("channels/twilio/voice/<int:attempt_id>/gather/", twilio.voice_gather, name="twilio-voice-gather"),
    path("channels/twilio/voice/verify/<str:token>/", twilio.voice_verify, name="twilio-voice-verify"),
    path("channels/twilio/status/<int:attempt_id>/", twilio.status_callback, name="twilio-status"),
    path("channels/twilio/sms/", twilio.incoming_sms, name="twilio-sms"),
]
