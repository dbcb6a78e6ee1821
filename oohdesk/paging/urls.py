from django.urls import path

from oohdesk.paging import views

urlpatterns = [
    path("ack/<str:token>/", views.ack_link, name="page-ack-link"),
    path("phone/<int:member_id>/", views.demo_phone, name="demo-phone"),
]
