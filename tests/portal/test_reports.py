"""The reports page: funnels against the norms, growth, volumes, productivity, and the lists
of companies behind every figure."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.reports.builders import two_phases

pytestmark = pytest.mark.django_db
LIST_LINK = re.compile(r'href="(/p/a-system/reports/companies/\?[^"]*)">(\d+)</a>')


def http_for(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def reports_url(slug="a-system") -> str:
    return reverse("reports", args=[slug])


def companies_url(slug="a-system") -> str:
    return reverse("report_companies", args=[slug])


def test_reports_show_funnels_growth_and_volumes_to_the_client(world):
    two_phases(world)
    response = http_for(world.alice).get(reports_url())
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("funnel-phase", "funnel-project", "growth", "volumes"):
        assert f'id="{section}"' in html
    assert 'id="productivity"' not in html  # for agency roles only
    assert 'id="growth-chart"' in html
    assert "ще не працює" in html  # machine reach is 0 until outreach exists
    figures = response.context["project_distribution"]
    counts = {share.outcome.value: share.count for share in figures}
    assert counts["warm"] == 2 and counts["callback"] == 1 and counts["not_interested"] == 1
    assert counts["existing"] == 1
    warm = next(share for share in figures if share.outcome.value == "warm")
    assert warm.share == 40 and warm.verdict == "above"


def test_productivity_is_shown_to_the_agency(world):
    two_phases(world)
    for user in (world.coordinator, world.admin, world.manager):
        html = http_for(user).get(reports_url()).content.decode()
        assert 'id="productivity"' in html
    assert 'id="productivity"' not in http_for(world.bob).get(reports_url()).content.decode()


def test_every_figure_link_lists_the_companies_it_counts(world):
    two_phases(world)
    http = http_for(world.coordinator)
    for query in ("", "?phase=1", "?phase=2"):
        html = http.get(reports_url() + query).content.decode()
        links = LIST_LINK.findall(html)
        assert len(links) > 10
        for link, figure in links:
            listed = http.get(unescape(link))
            assert listed.status_code == 200, link
            assert listed.context["total"] == int(figure), link


def test_the_reports_of_another_client_are_404(world):
    assert http_for(world.charlie).get(reports_url()).status_code == 404
    assert http_for(world.charlie).get(companies_url()).status_code == 404
    assert http_for(world.alice).get(reports_url("b-system")).status_code == 404
    assert HttpClient().get(reports_url()).status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        "outcome=nonsense",
        "phase=abc",
        "phase=99",
        "phase=1%27%20OR%201%3D1",
        "reprocessed=yes",
        "manager=<script>",
        "earned=2",
        "worked=x",
        "category=" + "x" * 300,
        "page=999999",
        "page=-3",
        "page=abc",
    ],
)
def test_bad_parameters_give_a_message_never_a_500(world, query):
    two_phases(world)
    response = http_for(world.alice).get(companies_url() + "?" + query)
    assert response.status_code == 200
    if not query.startswith("page="):
        assert response.context["chosen"].errors
        assert 'id="filter-errors"' in response.content.decode()
        assert response.context["total"] == 0


def test_the_reports_page_survives_a_bad_phase_and_a_project_without_phases(world):
    assert http_for(world.alice).get(reports_url("a-pilot") + "?phase=zz").status_code == 200
