"""The status page (`/ui`) in a real browser (Debian's headless Chromium) against a real
`vmib serve` replicating to real S3 regions: signing in with a token, a version's regions
changing state live while it replicates, a failed region's cause, rollback history, a
template run, and what a wrong, revoked or out-of-scope token gets (a clear message, no data).
"""
import json
import os
import time

from status_deployment import CAP_BYTES_PER_SECOND, SUBSCRIPTION

GALLERY, IMAGE, RG = "fleetgallery", "ubuntu-base", "fleet-rg"
DISK_BYTES = 6 << 20


def js(value):
    return json.dumps(value)


def text_of(browser, selector):
    return browser.evaluate(f"(e => e ? e.innerText : null)(document.querySelector({js(selector)}))")


def row_state(browser, region):
    return browser.evaluate(f"(r => r && r.dataset.state)(document.querySelector('#regions tr[data-region={js(region)}]'))")


def cell(browser, region, column):
    return text_of(browser, f"#regions tr[data-region={js(region)}] td[data-col={js(column)}]")


def sign_in(browser, deployment, token):
    browser.navigate(deployment.base_url + "/ui")
    browser.wait_for("!document.getElementById('login').hidden", what="the sign-in form")
    browser.type_text("#token", token)
    browser.press("Enter")


def view_is_empty(browser):
    return browser.evaluate("document.getElementById('view').childElementCount === 0")


def setup_gallery(deployment):
    g = deployment.gallery_path(RG, GALLERY)
    assert deployment.call("PUT", g, {"location": "eastus", "properties": {"description": "the fleet's images"}})[0] in (200, 201)
    status, body = deployment.call("PUT", f"{g}/images/{IMAGE}", {
        "location": "eastus", "properties": {"osType": "Linux", "osState": "Generalized",
                                             "identifier": {"publisher": "vmib", "offer": "ubuntu", "sku": "base"}}})
    assert status in (200, 201), body
    # Another team's gallery, outside fleet-rg.
    assert deployment.call("PUT", deployment.gallery_path("other-rg", "secretgallery"), {"location": "eastus"})[0] in (200, 201)
    return g


def publish(deployment, g, version, disk, regions):
    status, body = deployment.call("PUT", f"{g}/images/{IMAGE}/versions/{version}", {
        "location": "eastus", "properties": {
            "publishingProfile": {"targetRegions": [{"name": n, "regionalReplicaCount": c} for n, c in regions]},
            "storageProfile": {"source": {"uri": f"file://{disk}"}}}})
    assert status == 201, body


def wait_for_version(deployment, g, version, done, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, body = deployment.call("GET", f"{g}/images/{IMAGE}/versions/{version}", token="reader-token")
        if status == 200 and done(body["properties"]["provisioningState"]):
            return body
        time.sleep(0.2)
    raise AssertionError(f"version {version} did not finish: {body}")


def test_a_wrong_token_gets_a_clear_message_and_no_data(deployment, browser, screenshots):
    setup_gallery(deployment)
    sign_in(browser, deployment, "not-a-token")
    message = browser.wait_for("document.getElementById('login-error').innerText", what="the refusal")
    assert "refused the token" in message and "InvalidAuthenticationToken" in message, message
    assert view_is_empty(browser)
    assert browser.evaluate("document.getElementById('login').hidden") is False
    assert GALLERY not in browser.evaluate("document.body.innerText")
    # Nothing of the refused token is kept.
    assert browser.evaluate("sessionStorage.getItem('vmib.token')") is None
    browser.screenshot(os.path.join(screenshots, "wrong-token.png"))


def test_a_version_replicates_live_on_the_map_and_a_failed_region_says_why(deployment, browser, screenshots):
    g = setup_gallery(deployment)
    # 1.0.0 in westus (uncapped): what a rollback there goes back to.
    publish(deployment, g, "1.0.0", deployment.disk("old.raw", 256 << 10), [("westus", 1)])
    wait_for_version(deployment, g, "1.0.0", lambda s: s == "Succeeded")

    # A Reader signs in with the keyboard and walks down by links: galleries → image → versions.
    sign_in(browser, deployment, "reader-token")
    browser.wait_for(f"document.querySelector('#galleries a[href*={js(GALLERY)}]')", what="the gallery list")
    assert browser.evaluate("sessionStorage.getItem('vmib.token')") == "reader-token"
    assert browser.evaluate("localStorage.length") == 0 and browser.evaluate("document.cookie") == ""
    browser.evaluate(f"document.querySelector('#galleries a[href*={js(GALLERY)}]').focus()")
    browser.press("Enter")
    browser.wait_for(f"document.querySelector('#images a[href$={js('/images/' + IMAGE)}]')", what="the image definitions")
    browser.evaluate(f"document.querySelector('#images a[href$={js('/images/' + IMAGE)}]').click()")
    browser.wait_for("document.querySelector('#versions tr[data-version=\"1.0.0\"]')", what="the version list")

    # 2.0.0: eastus is capped (a few seconds), westus quick, westeurope refuses vmib's key.
    publish(deployment, g, "2.0.0", deployment.disk("new.raw", DISK_BYTES), [("eastus", 1), ("westus", 2), ("westeurope", 1)])
    browser.evaluate("location.hash = location.hash + '/versions/2.0.0'")
    browser.wait_for("document.querySelector('#regions')", what="the version's regions")
    browser.evaluate("window.loadedOnce = 'still the same page'")

    assert browser.wait_for("document.querySelector('#regions tr[data-region=\"eastus\"][data-state=\"Replicating\"]') && true",
                            timeout=30, what="eastus Replicating")
    # Words and icons, not colour alone: the row says its state, and so does the map.
    state_cell = text_of(browser, "#regions tr[data-region=\"eastus\"] td:nth-of-type(1)")
    assert "Replicating" in state_cell and "⟳" in state_cell, state_cell
    assert browser.evaluate("document.querySelector('svg.world g.marker[data-region=\"eastus\"]').dataset.state") == "Replicating"
    assert "Replicating" in browser.evaluate("document.querySelector('svg.world g.marker[data-region=\"eastus\"] title').textContent")
    assert cell(browser, "eastus", "replicas") == "0 / 1"
    browser.wait_for("(document.querySelector('#regions tr[data-region=\"eastus\"] td[data-col=\"bytes\"]').innerText.match(/^([0-9.]+) /) || [0, 0])[1] > 0",
                     what="eastus moving bytes")
    # The picture for the README: a quarter or more of the way, if the region is not done by then.
    browser.wait_for("(r => r.dataset.state !== 'Replicating' || parseInt(r.querySelector('td[data-col=\"progress\"]').innerText) >= 25)"
                     "(document.querySelector('#regions tr[data-region=\"eastus\"]'))", what="eastus a quarter done")
    browser.screenshot(os.path.join(screenshots, "version-replicating.png"))

    # The failed region names its cause (the S3 server's answer to the unknown key).
    browser.wait_for("document.querySelector('#regions tr[data-region=\"westeurope\"][data-state=\"Failed\"]') && true",
                     timeout=30, what="westeurope Failed")
    error = cell(browser, "westeurope", "error")
    assert "InvalidAccessKeyId" in error or "403" in error, error
    assert "✖" in text_of(browser, "#regions tr[data-region=\"westeurope\"] td:nth-of-type(1)")
    assert browser.evaluate("document.querySelector('svg.world g.marker[data-region=\"westeurope\"]').dataset.state") == "Failed"
    assert browser.evaluate("document.querySelector('svg.world g.marker[data-region=\"westeurope\"] rect') !== null"), "a diamond, not a circle"

    # eastus turns Completed without a reload.
    expected_seconds = DISK_BYTES / CAP_BYTES_PER_SECOND
    browser.wait_for("document.querySelector('#regions tr[data-region=\"eastus\"][data-state=\"Completed\"]') && true",
                     timeout=expected_seconds + 40, what="eastus Completed")
    assert browser.evaluate("window.loadedOnce") == "still the same page"
    assert browser.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert cell(browser, "eastus", "replicas") == "1 / 1"
    assert cell(browser, "eastus", "bytes") == "6.0 MiB of 6.0 MiB"
    browser.wait_for("document.querySelector('#regions tr[data-region=\"westus\"][data-state=\"Completed\"]') && true", what="westus Completed")
    assert cell(browser, "westus", "replicas") == "2 / 2"
    assert browser.evaluate("document.querySelector('svg.world g.marker[data-region=\"eastus\"]').dataset.state") == "Completed"
    assert "1 Failed" in browser.evaluate("document.querySelector('svg.world desc').textContent")
    assert "Failed" in text_of(browser, "#provisioning")
    # A Reader sees no controls that change anything.
    assert browser.evaluate("document.querySelectorAll('#view button, #view form, #view input, #view select, #view textarea').length") == 0
    browser.screenshot(os.path.join(screenshots, "version-done.png"))

    # The home page's usage: what each region stores now and what moved over each link, in bytes.
    browser.evaluate("location.hash = '#/'")
    moved = browser.wait_for("(r => r && r.querySelector('td:nth-of-type(2)').title)"
                             "([...document.querySelectorAll('#usage-links tbody tr')].find(r => r.innerText.startsWith('origin → East US')))",
                             what="the bytes moved to eastus")
    assert moved == f"{DISK_BYTES} bytes", moved
    westus = browser.wait_for("(r => r && r.innerText)([...document.querySelectorAll('#usage-storage tbody tr')]"
                              ".find(r => r.querySelector('th').innerText === 'West US'))", what="what westus stores")
    # 1.0.0's one replica and 2.0.0's two.
    assert "\t3\t" in westus, westus
    assert browser.evaluate("[...document.querySelectorAll('#usage-storage tbody tr')].find(r => r.querySelector('th').innerText === 'West US')"
                            ".querySelector('td:nth-of-type(3)').title") == f"{(256 << 10) + 2 * DISK_BYTES} bytes"
    assert "West Europe" not in text_of(browser, "#usage-storage"), "a Failed region stores nothing"

    # Rollback in westus; the image's page shows the history and what latest resolves to.
    status, body = deployment.call("POST", f"{g}/images/{IMAGE}/rollback", {"region": "westus"})
    assert status == 200, body
    browser.evaluate(f"location.hash = '#/rg/{RG}/galleries/{GALLERY}/images/{IMAGE}'")
    history = browser.wait_for("(r => r && r.innerText)(document.querySelector('#history tbody tr'))", what="the rollback history")
    assert "2.0.0 → 1.0.0" in history and "writer" in history and "westus" in history, history
    latest = browser.wait_for("(r => r && r.innerText)(document.querySelector('#latest tr[data-region=\"westus\"]'))", what="latest in westus")
    assert "1.0.0" in latest, latest
    europe = text_of(browser, "#latest tr[data-region=\"westeurope\"]")
    assert "none" in europe, europe
    v2 = text_of(browser, "#versions tr[data-version=\"2.0.0\"]")
    assert "Failed" in v2 and "westus" in v2, v2
    browser.screenshot(os.path.join(screenshots, "image.png"))

    # A template run that fails in its build: its state, message and log tail.
    templates = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.VirtualMachineImages/imageTemplates"
    status, body = deployment.call("PUT", f"{templates}/patch-base", {
        "location": "eastus", "properties": {
            "source": {"type": "SharedImageVersion", "imageVersionId": f"{g}/images/{IMAGE}/versions/1.0.0"},
            "customize": [{"type": "Shell", "name": "hello", "inline": ["echo hello"]}],
            "distribute": [{"type": "VHD", "runOutputName": "vhd"}]}}, api_version="2025-10-01")
    assert status == 201, body
    status, body = deployment.call("POST", f"{templates}/patch-base/run", api_version="2025-10-01")
    assert status == 202, body
    browser.evaluate(f"location.hash = '#/rg/{RG}/templates/patch-base'")
    browser.wait_for("document.querySelector('#run-state [data-state=\"Failed\"]') && true", timeout=90, what="the run Failed")
    assert "ext2/3/4" in text_of(browser, "#run-message")
    # The state may show before the log's last line was read: the page refreshes the log as it polls.
    log = browser.wait_for("(e => e && e.innerText.includes('run Failed') && e.innerText)(document.querySelector('#log pre'))",
                           timeout=30, what="the log tail up to the run's end")
    assert "run Failed" in log and "source:" in log, log
    browser.screenshot(os.path.join(screenshots, "template.png"))

    # The token stops working (revoked or expired): the page forgets it, shows why and no data.
    browser.evaluate("sessionStorage.setItem('vmib.token', 'revoked-token')")
    browser.evaluate(f"location.hash = '#/rg/{RG}/galleries/{GALLERY}/images/{IMAGE}/versions/2.0.0'")
    message = browser.wait_for("document.getElementById('login').hidden === false && document.getElementById('login-error').innerText",
                               what="the page to sign out")
    assert "refused the token" in message, message
    assert view_is_empty(browser)
    assert "eastus" not in browser.evaluate("document.getElementById('main').innerText")
    assert browser.evaluate("sessionStorage.getItem('vmib.token')") is None


def test_a_reader_of_one_resource_group_sees_only_it(deployment, browser):
    setup_gallery(deployment)
    sign_in(browser, deployment, "fleet-reader-token")
    browser.wait_for(f"document.querySelector('#galleries a[href*={js(GALLERY)}]')", what="the gallery list")
    listed = text_of(browser, "#galleries")
    assert "secretgallery" not in listed, listed
    # Asking for another group's gallery by address: refused by the API, nothing shown of it.
    browser.evaluate("location.hash = '#/rg/other-rg/galleries/secretgallery'")
    refusal = browser.wait_for("(e => e && e.innerText)(document.querySelector('#view .alert'))", what="the refusal")
    assert "AuthorizationFailed" in refusal, refusal
    assert "East US" not in text_of(browser, "#view")
