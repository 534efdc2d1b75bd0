"""Drives the public status page in a real headless Chromium (Debian's chromium and chromium-driver,
through Selenium): the page follows an incident live, without a reload, in one window while another
client opens and resolves it over the API; an incident's text with a script in it is shown as text;
the page works at 360 px and in dark mode. Saves screenshots (desktop and 360 px, light and dark) into
the folder given. Prints one JSON object: the problems found (none expected) and what was seen.

    python browser_public_page.py <port> <slug> <API key> <service id> <screenshot folder>
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import statusd_http

PORT, SLUG, KEY, SERVICE, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
BASE = "http://127.0.0.1:%s" % PORT
problems = []
seen = {}


def api(method, path, body=None):
    return statusd_http.api(PORT, method, path, KEY, body)


def browser(width, height, dark=False):
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--window-size=%d,%d" % (width, height)]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    if width < 500:  # below headless Chromium's smallest window: a phone's viewport instead
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
    if dark:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    driver.set_page_load_timeout(20)
    return driver


def wait(driver, condition, what, seconds=15):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d))
    except TimeoutException:
        problems.append("timed out waiting for " + what)
        return None


def text(driver, selector):
    # Read in one script call: the page's live refresh replaces its main element at any moment, and an
    # element found by one WebDriver call can be gone (stale) by the next.
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim()).join(' ')",
        selector)


def shot(driver, name, phone=False):
    os.makedirs(SHOTS, exist_ok=True)
    # The whole page in one picture: a viewport as tall as the document.
    height = min(max(driver.execute_script("return document.documentElement.scrollHeight"), 600), 4000)
    width = driver.execute_script("return window.innerWidth")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 2 if phone else 1, "mobile": phone})
    driver.save_screenshot(os.path.join(SHOTS, name))
    seen.setdefault("screenshots", []).append(name)


page = browser(1280, 900)
try:
    page.get(BASE + "/status/" + SLUG)
    wait(page, lambda d: d.find_element(By.ID, "live").get_attribute("data-state") == "live", "the live indicator")
    seen["title"] = page.title
    seen["banner_before"] = text(page, ".banner")
    page.execute_script("window.__sameDocument = true;")  # gone if the page reloads

    status, incident = api("POST", "/api/incidents", {
        "name": "Checkout errors", "impact": "major", "body": "<script>window.__xss = 1</script> Looking into it",
        "affected_services": [{"service_id": SERVICE, "status": "major_outage"}]})
    if status != 201:
        problems.append("opening the incident answered %s" % status)
    wait(page, lambda d: "Checkout errors" in text(d, ".incident h3"), "the incident to appear live")
    seen["banner_during"] = text(page, ".banner")
    seen["status_during"] = text(page, ".service .status")
    seen["body_shown"] = text(page, ".incident .timeline .body")
    seen["same_document"] = page.execute_script("return window.__sameDocument === true")
    seen["script_ran"] = page.execute_script("return window.__xss === 1")
    seen["script_elements_in_main"] = len(page.find_elements(By.CSS_SELECTOR, "#page script"))
    shot(page, "status-desktop-light-incident.png")

    api("PUT", "/api/incidents/%s/resolve" % incident["id"], {"body": "Fixed."})
    wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, ".incident"), "the incident to go away live")
    seen["banner_after"] = text(page, ".banner")
    seen["still_same_document"] = page.execute_script("return window.__sameDocument === true")
    shot(page, "status-desktop-light.png")

    page.get(BASE + "/status/%s/incidents/%s" % (SLUG, incident["id"]))
    seen["permalink_updates"] = len(page.find_elements(By.CSS_SELECTOR, ".timeline li"))
    page.get(BASE + "/status/%s/history" % SLUG)
    seen["history"] = text(page, ".incident h3")
finally:
    page.quit()

for width, dark, name in [(1280, True, "status-desktop-dark.png"), (360, False, "status-phone-light.png"),
                          (360, True, "status-phone-dark.png")]:
    other = browser(width, 800, dark=dark)
    try:
        other.get(BASE + "/status/" + SLUG)
        wait(other, lambda d: d.find_element(By.ID, "live").get_attribute("data-state") == "live", "live at %d" % width)
        overflow = other.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        seen["overflow_%d_%s" % (width, "dark" if dark else "light")] = overflow
        seen["background_%s" % ("dark" if dark else "light")] = other.execute_script(
            "return getComputedStyle(document.body).backgroundColor")
        seen["viewport_%d" % width] = other.execute_script("return window.innerWidth")
        shot(other, name, phone=width < 500)
    finally:
        other.quit()

seen["problems"] = problems
print(json.dumps(seen))
