"""Fixtures of the status page's tests: a real `vmib serve` over real S3 regions (see
status_deployment.py), a headless Chromium (cdp.py), and the folder screenshots go to.
"""
import os

import pytest

import status_deployment
from cdp import Browser


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    d = status_deployment.start(str(tmp_path_factory.mktemp("vmib-ui")))
    yield d
    status_deployment.stop(d)


@pytest.fixture
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="session")
def screenshots():
    os.makedirs(status_deployment.SCREENSHOTS, exist_ok=True)
    return status_deployment.SCREENSHOTS
