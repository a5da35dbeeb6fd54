from django.http import HttpRequest, JsonResponse

from zbut.core.health import check_health


def healthz(request: HttpRequest) -> JsonResponse:
    report = check_health()
    return JsonResponse(report.as_dict(), status=200 if report.is_healthy else 503)
