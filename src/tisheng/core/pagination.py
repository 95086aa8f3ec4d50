from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

PAGE_SIZE = 50


def page_of(qs, page_param, *, per_page: int = PAGE_SIZE):
    """A page of a queryset; a bad or out-of-range page number falls back to the first/last page."""
    paginator = Paginator(qs, per_page)
    try:
        return paginator.page(page_param or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)
