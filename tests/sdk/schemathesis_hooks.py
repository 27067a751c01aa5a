"""A schemathesis check: every error vmib answers is in Azure's error shape."""
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
