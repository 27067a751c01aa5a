"""schemathesis checks: every error vmib answers is in Azure's error shape, and a Reader
never changes anything."""
import schemathesis


@schemathesis.check
def azure_error_shape(ctx, response, case):
    if response.status_code < 400:
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} without an 'error' object: {response.text[:200]}"
    assert isinstance(error.get("code"), str) and error["code"], "error.code missing"
    assert isinstance(error.get("message"), str) and error["message"], "error.message missing"
    return None


@schemathesis.check
def reader_cannot_write(ctx, response, case):
    """A request with the Reader's token that would change something never succeeds."""
    if case.method.upper() in ("GET", "HEAD"):
        return None
    auth = response.request.headers.get("Authorization", "")
    if auth != "Bearer reader-token":
        return None
    assert response.status_code >= 400, f"a Reader's {case.method} {case.path} got {response.status_code}"
    return None
