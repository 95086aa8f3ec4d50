from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from tisheng.core.schemas import INT_MAX

PAGE_SIZE = 50

# The API's lists: `limit` is capped (and documented so in the OpenAPI document), `offset` stays within
# what SQLite and PostgreSQL accept in OFFSET even after `offset + limit`; anything else is a 422.
API_PAGE_SIZE = 100
API_MAX_LIMIT = 500
API_MAX_OFFSET = INT_MAX - API_MAX_LIMIT


class ApiPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            API_PAGE_SIZE, ge=1, le=API_MAX_LIMIT, description=f"每页条数，最多 {API_MAX_LIMIT}"
        )
        offset: int = Field(0, ge=0, le=API_MAX_OFFSET, description="跳过的条数")

    def __init__(self, **kwargs):
        super().__init__(max_limit=API_MAX_LIMIT, **kwargs)


def page_of(qs, page_param, *, per_page: int = PAGE_SIZE):
    """A page of a queryset; a bad or out-of-range page number falls back to the first/last page."""
    paginator = Paginator(qs, per_page)
    try:
        return paginator.page(page_param or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)
