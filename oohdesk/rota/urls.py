from django.urls import path

from oohdesk.rota import swap_views, views

urlpatterns = [
    path("rota/", views.overview, name="rota"),
    path("rota/health/", views.health_page, name="rota-health"),
    path("rota/<slug:slug>/", views.team_rota, name="rota-team"),
    path("rota/<slug:slug>/overrides/new/", views.override_new, name="rota-override-new"),
    path("rota/<slug:slug>/backup-rota/overrides/new/", views.override_new, {"which": "backup"}, name="rota-override-new-backup"),
    path("rota/<slug:slug>/members/", views.members_edit, name="rota-members"),
    path("rota/<slug:slug>/backup-rota/members/", views.members_edit, {"which": "backup"}, name="rota-members-backup"),
    path("rota/<slug:slug>/backup/", views.backup_edit, name="rota-backup"),
    path("rota/<slug:slug>/feed/", views.team_feed_reset, name="rota-team-feed"),
    path("overrides/<int:override_id>/remove/", views.override_remove, name="rota-override-remove"),
    path("swaps/", swap_views.swap_list, name="swaps"),
    path("swaps/new/<int:rota_id>/", swap_views.swap_new, name="swap-new"),
    path("swaps/<int:swap_id>/accept/", swap_views.swap_accept, name="swap-accept"),
    path("swaps/<int:swap_id>/decline/", swap_views.swap_decline, name="swap-decline"),
    path("swaps/<int:swap_id>/cancel/", swap_views.swap_cancel, name="swap-cancel"),
    path("me/", views.profile, name="profile"),
    path("calendar/<str:key>.ics", views.calendar_feed, name="calendar-feed"),
]
