from datetime import date
from decimal import Decimal

from ninja import Field, Router, Schema

from tisheng.core.errors import NotFound
from tisheng.core.schemas import Id, InputSchema, Year, choice_of, tenths
from tisheng.core.scoping import scope_for
from tisheng.organisation.models import City

from . import services
from .models import PickCoverage
from .selectors import settings_for_city

router = Router(tags=["programme"])


class SettingsOut(Schema):
    city_id: int
    online_hours_required: Decimal
    practice_hours_required: Decimal
    total_hours_required: Decimal
    min_picks: int
    pick_coverage: str
    pick_min_dimensions: int
    min_offer_dimensions: int
    offline_trainings_required: int
    observations_required: int
    open_class_share_percent: int
    school_observations_required: int
    open_class_giver_hours: Decimal
    open_class_observer_hours: Decimal
    max_document_mb: int
    max_image_mb: int
    max_video_mb: int
    school_team_min: int
    school_team_max: int
    id_number_login: bool
    peer_reviews_required: int
    peer_reviewers_per_work: int
    peer_review_days: int
    peer_review_anonymous: bool
    peer_review_after_own: bool
    review_comment_min_chars: int
    accepted_evidence_hours: Decimal
    achieve_requires_hours: bool
    achieve_min_score: int


class SettingsIn(InputSchema):
    online_hours_required: tenths(ge=0, le=500) | None = None
    practice_hours_required: tenths(ge=0, le=500) | None = None
    total_hours_required: tenths(ge=0, le=500) | None = None
    min_picks: int | None = Field(None, ge=1, le=29)
    pick_coverage: choice_of(PickCoverage) | None = None
    pick_min_dimensions: int | None = Field(None, ge=1, le=4)
    min_offer_dimensions: int | None = Field(None, ge=1, le=4)
    offline_trainings_required: int | None = Field(None, ge=0, le=50)
    observations_required: int | None = Field(None, ge=0, le=50)
    open_class_share_percent: int | None = Field(None, ge=0, le=100)
    school_observations_required: int | None = Field(None, ge=0, le=50)
    open_class_giver_hours: tenths(ge=0, le=20) | None = None
    open_class_observer_hours: tenths(ge=0, le=20) | None = None
    max_document_mb: int | None = Field(None, ge=1, le=10240)
    max_image_mb: int | None = Field(None, ge=1, le=10240)
    max_video_mb: int | None = Field(None, ge=1, le=10240)
    school_team_min: int | None = Field(None, ge=1, le=30)
    school_team_max: int | None = Field(None, ge=1, le=30)
    # Issue 8 item 3: the ID number as a login, for a transition only.
    id_number_login: bool | None = None
    # Issue 10: the evaluation chain (R-PEER, R-EVAL) and achievement (R-ACHIEVE).
    peer_reviews_required: int | None = Field(None, ge=0, le=20)
    peer_reviewers_per_work: int | None = Field(None, ge=1, le=10)
    peer_review_days: int | None = Field(None, ge=1, le=60)
    peer_review_anonymous: bool | None = None
    peer_review_after_own: bool | None = None
    review_comment_min_chars: int | None = Field(None, ge=0, le=500)
    accepted_evidence_hours: tenths(ge=0, le=20) | None = None
    achieve_requires_hours: bool | None = None
    achieve_min_score: int | None = Field(None, ge=0, le=100)


class CalendarIn(InputSchema):
    starts_on: date | None = None
    plans_due: date | None = None
    picks_due: date | None = None
    evidence_due: date | None = None
    assessment_due: date | None = None


class CalendarOut(CalendarIn):
    batch_year: int


def _city(request, city_id: Id) -> City:
    scope = scope_for(request.auth)
    if not scope.is_platform_admin and city_id not in scope.city_ids_in_view():
        raise NotFound()
    city = City.objects.filter(pk=city_id).first()
    if city is None:
        raise NotFound()
    return city


@router.get(
    "/cities/{city_id}/programme", response=SettingsOut, summary="项目设置（学时、选点规则、上传上限）"
)
def settings_get(request, city_id: Id):
    return settings_for_city(_city(request, city_id).pk)


@router.patch("/cities/{city_id}/programme", response=SettingsOut, summary="修改项目设置（市工程办）")
def settings_patch(request, city_id: Id, payload: SettingsIn):
    city = _city(request, city_id)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return services.programme_settings_update(actor=request.auth, city=city, values=values)


@router.put(
    "/cities/{city_id}/calendar/{batch_year}", response=CalendarOut, summary="设置批次日程（市工程办）"
)
def calendar_put(request, city_id: Id, batch_year: Year, payload: CalendarIn):
    city = _city(request, city_id)
    return services.batch_calendar_update(
        actor=request.auth, city=city, batch_year=batch_year, dates=payload.dict()
    )
