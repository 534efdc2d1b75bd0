"""Drives the API page (/docs) in headless Chromium as a person trying the API: a public read with a
path parameter filled in, a write sent with an API key pasted once into the page's header, and an
error shown as it came. The browser holds a login cookie all along (signed in through the API first):
the tried requests must not carry it. Prints {"problems": [...], ...}.

    python browser_docs.py <port> <email> <password> <api key>
"""
import json
import sys
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

PORT, EMAIL, PASSWORD, KEY = sys.argv[1:5]
BASE = "http://127.0.0.1:%s" % PORT
problems = []
out = {"problems": problems}


def browser():
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(driver, condition, what, seconds=15):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
                             ).until(lambda d: condition(d))
    except TimeoutException:
        problems.append("timed out waiting for " + what)
        return None


def operation_id(method, path):
    with urllib.request.urlopen(BASE + "/openapi.json") as response:
        document = json.load(response)
    return document["paths"][path][method]["operationId"]


def send(driver, method, path, parameters=None, body=None):
    """Opens the operation, fills its form, sends it; the answer's status line, headers and body."""
    identifier = operation_id(method, path)
    details = wait(driver, lambda d: d.find_element(By.ID, identifier), "operation " + identifier)
    if details is None:
        return {}
    driver.execute_script("arguments[0].open = true; arguments[0].scrollIntoView()", details)
    for name, value in (parameters or {}).items():
        field = details.find_element(By.CSS_SELECTOR, 'form.try input[name="%s"]' % name)
        field.clear()
        field.send_keys(value)
    if body is not None:
        area = details.find_element(By.CSS_SELECTOR, "form.try textarea")
        area.clear()
        area.send_keys(json.dumps(body))
    details.find_element(By.CSS_SELECTOR, "form.try button[type=submit]").click()
    status = wait(driver, lambda d: details.find_element(By.CSS_SELECTOR, ".answer .status").text or None,
                  "the answer of " + identifier)
    return {
        "status": status or "",
        "headers": details.find_element(By.CSS_SELECTOR, ".answer pre.headers").text if status else "",
        "body": (details.find_elements(By.CSS_SELECTOR, ".answer pre.body") or [None])[0].text
        if status and details.find_elements(By.CSS_SELECTOR, ".answer pre.body") else "",
    }


def main():
    driver = browser()
    try:
        driver.get(BASE + "/docs")
        with urllib.request.urlopen(BASE + "/openapi.json") as response:
            document = json.load(response)
        operations = sum(1 for item in document["paths"].values() for method in item
                         if method in ("get", "post", "put", "patch", "delete"))
        out["operations_in_document"] = operations
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "details form.try")) >= operations, "the operations")
        out["operations_with_try_it"] = len(driver.find_elements(By.CSS_SELECTOR, "details form.try"))
        # Signed in, as the dashboard would be: the browser now holds the session cookie.
        out["cookie_login"] = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch("/api/auth/login", {method: "POST", credentials: "include", headers: {"Content-Type": "application/json"},
                  body: JSON.stringify({email: arguments[0], password: arguments[1]})})
              .then(r => fetch("/api/auth/me", {credentials: "include"})).then(r => done(r.status));
        """, EMAIL, PASSWORD)
        out["cookie_set"] = any(c["name"] for c in driver.get_cookies())

        read = send(driver, "get", "/api/status/{slug}", {"slug": "demo"})
        out["read_status"] = read.get("status")
        out["read_content_type"] = "content-type: application/json" in read.get("headers", "")
        out["read_body_has_organization"] = '"organization"' in read.get("body", "")

        # Not with the cookie: the page's requests carry only what was given above (nothing yet).
        me = send(driver, "get", "/api/auth/me")
        out["me_without_token"] = me.get("status")
        out["error_body"] = '"status": 401' in me.get("body", "")

        driver.find_element(By.ID, "token").send_keys(KEY)
        written = send(driver, "post", "/api/incidents", body={"name": "Tried from the docs", "body": "Sent from /docs."})
        out["write_status"] = written.get("status")
        out["write_location"] = "location: /api/incidents/" in written.get("headers", "")
        invalid = send(driver, "post", "/api/incidents", body={"name": ""})
        out["invalid_status"] = invalid.get("status")
        out["invalid_body"] = invalid.get("body", "")[:300]
        out["token_stored"] = driver.execute_script(
            "return localStorage.length + sessionStorage.length + document.cookie.length")
        csp = [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
        out["csp_violations"] = csp
    finally:
        driver.quit()
    print(json.dumps(out))


main()
