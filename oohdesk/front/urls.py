from django.contrib.auth import views as auth_views
from django.urls import path

from oohdesk.front import ticket_views, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("pages/<int:page_id>/", views.page_detail, name="page-detail"),
    path("pages/<int:page_id>/ack/", views.page_ack, name="page-ack"),
    path("tickets/<str:ref>/", ticket_views.ticket_detail, name="ticket-detail"),
]
