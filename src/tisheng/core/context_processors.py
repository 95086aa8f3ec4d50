from .scoping import scope_for


def scope(request):
    return {"scope": scope_for(getattr(request, "user", None))}
