"""Who may open the staff pages: a signed-in, active user who is staff or is linked to a team member.

A user account with neither (created by mistake, or a member's link
removed) can sign in but opens no staff page.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def is_desk_staff(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or getattr(user, "member", None) is not None


def staff_required(view):
    """Wrap a staff view: send anonymous visitors to sign in, return 403 to users without a staff role."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_desk_staff(request.user):
            return render(request, "security/not_staff.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
