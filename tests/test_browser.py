"""The dashboard in a real browser: `streamlit run` on 127.0.0.1 and Debian's headless Chromium.

Playwright drives /usr/bin/chromium and never downloads a browser. Each page is opened from the
navigation, checked for figures read from the CSV files, and saved as a screenshot in
test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

import pytest  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

APP_DIR = Path(__file__).resolve().parent.parent / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

from test_app_data import COMMA_GAME, COMMITTED_DATA_DIR, SCRIPT_GAME, read_csv_rows, write_processed_data  # noqa: E402
from test_app_pages import integer, percent  # noqa: E402

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
STARTUP_SECONDS = 60
WAIT_MILLISECONDS = 60_000
PAGES = [
    ("Overview", ""),
    ("Funnel", "funnel"),
    ("Time series", "timeseries"),
    ("Repeatability", "repeatability"),
    ("Scores", "scores"),
    ("Data quality and freshness", "data-quality"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{log.read_text(encoding='utf-8')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit timed out: no response on {url} after {STARTUP_SECONDS} s:\n{log.read_text(encoding='utf-8')}")


@pytest.fixture(scope="module", params=["fixture", "committed"])
def served(request, tmp_path_factory):
    """Serve the dashboard over a processed_data folder; yield its URL, the folder and a label."""
    if request.param == "fixture":
        data_directory = write_processed_data(tmp_path_factory.mktemp("browser") / "processed_data")
    elif (COMMITTED_DATA_DIR / "manifest.json").is_file():
        data_directory = COMMITTED_DATA_DIR
    else:
        pytest.skip("processed_data/ has no export yet")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    environment = dict(os.environ, HYBRID_DATA_DIR=str(data_directory), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_DIR / "streamlit_app.py"),
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    with log.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(command, env=environment, stdout=log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    try:
        wait_until_healthy(url, process, log)
        yield url, data_directory, request.param
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: install Debian's chromium (make setup-browser)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def open_from_navigation(tab: Page, url: str, title: str) -> None:
    if not tab.url.startswith(url):
        tab.goto(url)
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(tab.locator("h1").filter(has_text=title)).to_be_visible(timeout=WAIT_MILLISECONDS)


def expect_text(tab: Page, text: str) -> None:
    expect(tab.get_by_text(text, exact=False).first).to_be_visible(timeout=WAIT_MILLISECONDS)


def main_text(tab: Page) -> str:
    return " ".join(tab.get_by_test_id("stMain").inner_text().split())


def wait_for_run(tab: Page) -> None:
    """Wait until the page has a title and Streamlit shows no "Running" status."""
    expect(tab.locator("h1").first).to_be_visible(timeout=WAIT_MILLISECONDS)
    expect(tab.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MILLISECONDS)


def choose(tab: Page, label: str, option: str) -> None:
    wait_for_run(tab)
    combobox = tab.get_by_role("combobox", name=label)
    combobox.click()
    choice = tab.get_by_role("option", name=option, exact=True)
    if not choice.is_visible():
        combobox.press("ArrowDown")
    choice.click()
    expect(combobox).to_have_value(option, timeout=WAIT_MILLISECONDS)
    wait_for_run(tab)


def main_height(tab: Page) -> int:
    return tab.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")


def wait_until_drawn(tab: Page) -> None:
    """Wait for the run to end, the placeholders to go and the page height to stay put."""
    wait_for_run(tab)
    expect(tab.get_by_test_id("stSkeleton")).to_have_count(0, timeout=WAIT_MILLISECONDS)
    previous, unchanged = -1, 0
    deadline = time.monotonic() + 20
    while unchanged < 3 and time.monotonic() < deadline:
        tab.wait_for_timeout(300)
        height = main_height(tab)
        unchanged = unchanged + 1 if height == previous else 0
        previous = height


def save_screenshot(tab: Page, name: str) -> None:
    """Save the whole page: Streamlit scrolls inside its main block, so grow the window first."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    wait_until_drawn(tab)
    height = main_height(tab)
    tab.set_viewport_size({"width": 1400, "height": max(1000, height + 40)})
    tab.wait_for_timeout(500)
    tab.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
    tab.set_viewport_size({"width": 1400, "height": 1000})


def stages(directory: Path) -> list[dict[str, str]]:
    return sorted(read_csv_rows(directory, "conversion_funnel_total.csv"), key=lambda row: int(row["stage_order"]))


def games(directory: Path, file: str) -> list[str]:
    return sorted({row["game_name"] for row in read_csv_rows(directory, file)})


def test_every_page_shows_its_figures(served, page):
    url, directory, label = served
    page.goto(url)
    funnel = stages(directory)
    repeat = read_csv_rows(directory, "repeatability_data.csv")
    score_game = games(directory, "score_distribution.csv")[0]
    score_checks = {
        row["check_name"]: row["value"] for row in read_csv_rows(directory, "data_quality.csv") if row["game_name"] == score_game
    }
    expected = {
        "Overview": [
            f"{integer(funnel[0]['users'])} users started a game",
            f"a completion rate of {percent(funnel[-1]['conversion_from_start'])}",
        ],
        "Funnel": [f"Across all games, users who started: {integer(funnel[0]['users'])}"],
        "Time series": ["Users and events per period"],
        "Repeatability": [f"Of the {integer(str(sum(int(row['user_count']) for row in repeat)))} users who played at least one game"],
        "Scores": [f"{score_checks['missing_scores']} scored events had no score"],
        "Data quality and freshness": ["UTC, from the dbt target"],
    }
    for title, slug in PAGES:
        open_from_navigation(page, url, title)
        for text in expected[title]:
            expect_text(page, text)
        expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
        expect(page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        save_screenshot(page, f"{label}-{slug or 'overview'}")
    assert page.dialogs == []


def test_game_filter_changes_funnel(served, page):
    url, directory, label = served
    page.goto(f"{url}/funnel")
    names = games(directory, "conversion_funnel_games.csv")
    chosen = COMMA_GAME if COMMA_GAME in names else names[1]
    choose(page, "Game", chosen)
    rows = sorted(
        (row for row in read_csv_rows(directory, "conversion_funnel_games.csv") if row["game_name"] == chosen),
        key=lambda row: int(row["stage_order"]),
    )
    expect_text(page, f"In {chosen}, users who started: {integer(rows[0]['users'])}")
    expect_text(page, f"users who reached the final stage: {integer(rows[-1]['users'])} ({percent(rows[-1]['conversion_from_start'])})")
    save_screenshot(page, f"{label}-funnel-{chosen.split(',')[0].lower().replace(' ', '-')}")


def test_game_filter_changes_scores(served, page):
    url, directory, label = served
    page.goto(f"{url}/scores")
    names = games(directory, "score_distribution.csv")
    chosen = COMMA_GAME if COMMA_GAME in names else names[1]
    choose(page, "Game", chosen)
    attempts = sum(int(row["attempts"]) for row in read_csv_rows(directory, "score_distribution.csv") if row["game_name"] == chosen)
    checks = {
        row["check_name"]: row["value"] for row in read_csv_rows(directory, "data_quality.csv") if row["game_name"] == chosen
    }
    expect_text(page, f"{chosen} has {integer(str(attempts))} scores in a range")
    expect_text(page, f"{integer(checks['missing_scores'])} scored events had no score")
    save_screenshot(page, f"{label}-scores-{chosen.split(',')[0].lower().replace(' ', '-')}")


def test_period_filter_changes_time_series(served, page):
    url, directory, label = served
    page.goto(f"{url}/timeseries")
    expect_text(page, "The chosen range holds")
    choose(page, "Period", "Week")
    first_stage = stages(directory)[0]["event_type"]
    weeks = [
        row
        for row in read_csv_rows(directory, "timeseries_total.csv")
        if row["period_type"] == "week" and row["event_type"] == first_stage
    ]
    events = sum(int(row["events"]) for row in weeks)
    expect_text(page, f"The chosen range holds {len(weeks)} periods with {integer(str(events))} {first_stage} events")
    save_screenshot(page, f"{label}-timeseries-week")


def test_script_game_name_is_text(served, page):
    url, directory, label = served
    if SCRIPT_GAME not in games(directory, "score_distribution.csv"):
        pytest.skip("this export has no game named like an HTML script")
    page.goto(f"{url}/scores")
    expect(page.get_by_role("combobox", name="Game")).to_have_value(SCRIPT_GAME, timeout=WAIT_MILLISECONDS)
    expect_text(page, f"{SCRIPT_GAME} has 0 scores in a range")
    injected = page.evaluate(
        "Array.from(document.querySelectorAll('script')).filter(s => s.textContent.includes('alert(1)')).length"
    )
    assert injected == 0
    assert page.dialogs == []
    assert SCRIPT_GAME in main_text(page)
