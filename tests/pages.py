"""Driving the HTML pages as a browser would: fetch the form, keep every field it rendered
(the hidden csrf_token included), change what the test cares about, post it back."""
from __future__ import annotations

from bs4 import BeautifulSoup

from tests.conftest import form_fields

MAIN_FORM = "main form[method=post]"


def submit(client, url: str, selector: str = MAIN_FORM, drop: tuple[str, ...] = (),
           **changes):
    """POST the form found at url with changes applied (a value of None removes the field;
    a list posts the name several times, as checkboxes do)."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    action, data = form_fields(page.text, selector)
    for key in drop:
        data.pop(key, None)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return client.post(action or url, data=data)


def login(client, account, next_path: str | None = None):
    """Sign in through the real login form. Returns the response (a redirect on success)."""
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return submit(client, url, "#login-form", username=account.name, password=account.password)


def field_error(html: str, field_id: str) -> str | None:
    """The error text shown next to a field, after checking it is linked accessibly."""
    soup = BeautifulSoup(html, "html.parser")
    error = soup.select_one(f"#{field_id}-error")
    if error is None:
        return None
    control = soup.select_one(f"#{field_id}")
    assert control is not None and control.get("aria-invalid") == "true"
    assert f"{field_id}-error" in control.get("aria-describedby", "").split()
    return error.get_text(" ", strip=True)


def flashes(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [p.get_text(" ", strip=True) for p in soup.select(".flash")]


def whose(html: str) -> str:
    """The banner saying whose data is on screen."""
    banner = BeautifulSoup(html, "html.parser").select_one("#whose")
    assert banner is not None, "no whose-data banner on the page"
    return banner.get_text(" ", strip=True)


def error_summary(html: str) -> list[tuple[str, str]]:
    """The (link target, text) pairs of the error summary, after checking it is an alert
    that scripts may focus."""
    summary = BeautifulSoup(html, "html.parser").select_one("#error-summary")
    if summary is None:
        return []
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1"
    return [(a["href"], a.get_text(" ", strip=True)) for a in summary.select("a")]


def label_text(html: str, field_id: str) -> str:
    label = BeautifulSoup(html, "html.parser").select_one(f"label[for={field_id}]")
    assert label is not None, field_id
    return label.get_text(" ", strip=True)


def hint(html: str, field_id: str) -> str:
    found = BeautifulSoup(html, "html.parser").select_one(f"#{field_id}-hint")
    return found.get_text(" ", strip=True) if found else ""
