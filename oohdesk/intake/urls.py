from django.urls import path

from oohdesk.intake import views

urlpatterns = [
    path("intercom", views.intercom_webhook, name="intake-intercom"),
    path("zendesk", views.zendesk_webhook, name="intake-zendesk"),
]
