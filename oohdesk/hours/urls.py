from django.urls import path

from oohdesk.hours import views

urlpatterns = [
    path("hours/", views.calendar_list, name="hours"),
    path("hours/<slug:slug>/", views.calendar_detail, name="hours-calendar"),
    path("hours/<slug:slug>/closures/", views.add_closure, name="hours-add-closure"),
    path("hours/<slug:slug>/closures/<int:closure_id>/remove/", views.remove_closure, name="hours-remove-closure"),
    path("hours/<slug:slug>/openings/", views.add_opening, name="hours-add-opening"),
    path("hours/<slug:slug>/openings/<int:opening_id>/remove/", views.remove_opening, name="hours-remove-opening"),
]
