"""Drives the email subscription in a real headless Chromium (Selenium), with the mails read from the
SMTP test server's spool (smtp_sink.py): subscribe on the status page's form, the confirmation mail
arrives, its link opens a page whose button confirms (opening it changes nothing), the manage page
that follows chooses a service, an incident on that service is mailed with its unsubscribe headers, the
unsubscribe link opened in the browser changes nothing, and the one-click POST a mail client sends
unsubscribes. Links in mails carry the public address; the browser opens their path on this server.
Prints one JSON object: the problems found (none expected) and what was seen.

    python browser_email_flow.py <port> <slug> <admin API key> <service id> <spool> <screenshot folder>
"""
import glob
import json
import os
import sys
import time
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import statusd_http

PORT, SLUG, KEY, SERVICE, SPOOL, SHOTS = sys.argv[1:7]
BASE = "http://127.0.0.1:%s" % PORT
READER = "browser-reader@example.test"
problems = []
seen = {}


def api(method, path, body=None):
    return statusd_http.api(PORT, method, path, KEY, body)


def subscriber():
    """The reader's subscriber as admins see it, or None."""
    _, body = api("GET", "/api/subscribers?type=email")
    return next((item for item in (body or {}).get("items", []) if item.get("email") == READER), None)


def mails(subject_start, seconds=30):
    """The mails to the reader whose subject starts so, once at least one has come."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = []
        for name in sorted(glob.glob(os.path.join(SPOOL, "*.json"))):
            with open(name) as file:
                mail = json.load(file)
            if READER in mail["rcpt_tos"] and mail["headers"].get("subject", "").startswith(subject_start):
                found.append(mail)
        if found:
            return found
        time.sleep(0.1)
    problems.append("no mail '%s...' within %d s" % (subject_start, seconds))
    return []


def link(mail, purpose):
    """The path (and query) of the mail's link for `purpose`."""
    for word in mail["text"].split():
        if word.startswith("http") and ("/%s?token=" % purpose) in word:
            parts = urlsplit(word)
            return parts.path + "?" + parts.query
    problems.append("no %s link in the mail" % purpose)
    return "/"


def wait(driver, condition, what, seconds=15):
    try:
        return WebDriverWait(
            driver, seconds, poll_frequency=0.1,
            ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
        ).until(lambda d: condition(d))
    except TimeoutException:
        problems.append("timed out waiting for " + what)
        return None


def heading(driver):
    return driver.execute_script("const h = document.querySelector('h1'); return h ? h.innerText.trim() : ''")


def shot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    driver.save_screenshot(os.path.join(SHOTS, name))
    seen.setdefault("screenshots", []).append(name)


options = Options()
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--window-size=1100,900"]:
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
page = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
page.set_page_load_timeout(20)
try:
    # The form on the status page, as a visitor fills it in.
    page.get(BASE + "/status/" + SLUG)
    field = wait(page, lambda d: d.find_element(By.ID, "subscribe-email"), "the subscribe form")
    if field:
        field.send_keys(READER)
        page.find_element(By.CSS_SELECTOR, "section.subscribe button[type=submit]").click()
    wait(page, lambda d: heading(d) == "Check your inbox", "the answer to the form")
    seen["form_answer"] = heading(page)
    shot(page, "subscribe-answer.png")
    seen["state_after_form"] = (subscriber() or {}).get("state")

    # The confirmation link: opening it shows a button and changes nothing; the button confirms.
    confirmation = mails("Confirm your subscription")
    if confirmation:
        page.get(BASE + link(confirmation[0], "confirm"))
        seen["confirm_page"] = heading(page)
        seen["state_after_opening"] = (subscriber() or {}).get("state")
        page.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        wait(page, lambda d: heading(d) == "You are subscribed", "the confirmation")
        seen["state_after_button"] = (subscriber() or {}).get("state")

        # The manage page that follows: tick the one service, save.
        box = wait(page, lambda d: d.find_element(By.CSS_SELECTOR, "input[value='%s']" % SERVICE), "the services")
        if box:
            box.click()
            shot(page, "subscription-manage.png")
            page.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
            wait(page, lambda d: heading(d) == "Saved", "the saved choice")
        seen["components"] = (subscriber() or {}).get("component_ids")

    # An incident on that service reaches the reader, with the one-click unsubscribe headers.
    status, _ = api("POST", "/api/incidents", {
        "name": "Checkout errors", "status": "investigating", "impact": "major", "body": "Payments fail",
        "affected_services": [{"service_id": SERVICE, "status": "major_outage"}]})
    seen["incident_created"] = status
    notice = mails("[")
    if notice:
        headers = notice[-1]["headers"]
        seen["list_unsubscribe_post"] = headers.get("list-unsubscribe-post")
        seen["text_has_body"] = "Payments fail" in notice[-1]["text"]
        unsubscribe = link(notice[-1], "unsubscribe")
        seen["list_unsubscribe_matches"] = headers.get("list-unsubscribe", "").endswith(unsubscribe + ">")

        # Opening the unsubscribe link changes nothing; the one-click POST unsubscribes.
        page.get(BASE + unsubscribe)
        seen["unsubscribe_page"] = heading(page)
        seen["subscribed_after_opening"] = subscriber() is not None
        status, _, _ = statusd_http.request(
            PORT, "POST", unsubscribe, b"List-Unsubscribe=One-Click",
            {"Content-Type": "application/x-www-form-urlencoded"})
        seen["one_click"] = status
        seen["subscribed_after_one_click"] = subscriber() is not None
except Exception as error:  # reported, so the test shows what failed rather than no JSON
    problems.append("%s: %s" % (type(error).__name__, error))
finally:
    page.quit()

print(json.dumps({"problems": problems, **seen}))
