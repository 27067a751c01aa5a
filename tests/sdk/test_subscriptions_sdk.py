"""A token scoped to a subscription other than the server's own: the unmodified SDKs work
in it (the server serves the subscriptions its tokens name), and each subscription sees only
its own resources."""
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from azure.mgmt.imagebuilder import ImageBuilderClient

from conftest import OTHER_SUBSCRIPTION, SUBSCRIPTION
from test_compute_sdk import StaticToken


def test_the_sdks_work_in_a_second_subscription_and_see_only_its_resources(server):
    common = dict(base_url=server.base_url, connection_verify=False, polling_interval=0.2)
    other = ComputeManagementClient(StaticToken("other-token"), OTHER_SUBSCRIPTION, **common)
    made = other.galleries.begin_create_or_update("sub-rg", "otherGallery", cm.Gallery(location="eastus")).result()
    assert made.id.startswith(f"/subscriptions/{OTHER_SUBSCRIPTION}/resourceGroups/sub-rg/"), made.id
    assert [g.name for g in other.galleries.list()] == ["otherGallery"]
    assert list(ImageBuilderClient(StaticToken("other-token"), OTHER_SUBSCRIPTION, **common).virtual_machine_image_templates.list()) == []

    # The server's own subscription does not list it, and the other token cannot reach it.
    home = ComputeManagementClient(StaticToken(server.token), SUBSCRIPTION, **common)
    assert "otherGallery" not in [g.name for g in home.galleries.list()]
    try:
        ComputeManagementClient(StaticToken("other-token"), SUBSCRIPTION, **common).galleries.get("sub-rg", "otherGallery")
        raise AssertionError("a token of another subscription read this one")
    except HttpResponseError as e:
        assert e.status_code == 403, e

    other.galleries.begin_delete("sub-rg", "otherGallery").result()
    assert list(other.galleries.list()) == []
