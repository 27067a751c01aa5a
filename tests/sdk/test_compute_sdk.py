"""Azure's own azure-mgmt-compute SDK, unmodified, drives vmib through a gallery's life."""
import time

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as m

from conftest import SUBSCRIPTION

API = "2025-03-03"  # the spec vmib follows; the SDK's default is newer


class StaticToken:
    """A credential that returns the configured token."""

    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, int(time.time()) + 3600)

    def get_token_info(self, *scopes, options=None):
        return AccessTokenInfo(self.token, int(time.time()) + 3600)


def test_gallery_image_version_lifecycle_through_the_sdk(server):
    sent = []
    client = ComputeManagementClient(StaticToken(server.token), SUBSCRIPTION, base_url=server.base_url,
                                     connection_verify=False, polling_interval=0.2,
                                     raw_request_hook=lambda request: sent.append(f"{request.http_request.method} {request.http_request.url}"))
    rg = "sdk-rg"

    # Not the server's home region (eastus): the gallery reports the location and tags it was created with.
    gallery = client.galleries.begin_create_or_update(rg, "sdkGallery", m.Gallery(location="westeurope", description="from the SDK",
                                                                                  tags={"team": "sdk"}),
                                                      api_version=API).result()
    assert gallery.name == "sdkGallery" and gallery.description == "from the SDK"
    assert gallery.location == "westeurope" and gallery.tags == {"team": "sdk"}
    assert client.galleries.get(rg, "sdkGallery", api_version=API).tags == {"team": "sdk"}
    assert gallery.provisioning_state == "Succeeded"

    image = client.gallery_images.begin_create_or_update(
        rg, "sdkGallery", "sdkImage",
        m.GalleryImage(location="eastus", os_type="Linux", os_state="Generalized", hyper_v_generation="V2",
                       identifier=m.GalleryImageIdentifier(publisher="vmib", offer="tests", sku="sdk")),
        api_version=API).result()
    assert image.identifier.sku == "sdk" and image.os_type == "Linux"

    disk = server.disk("sdk-disk.raw", 3 * 1024 * 1024 + 17)
    poller = client.gallery_image_versions.begin_create_or_update(
        rg, "sdkGallery", "sdkImage", "1.0.0",
        m.GalleryImageVersion(
            location="eastus",
            publishing_profile=m.GalleryImageVersionPublishingProfile(
                target_regions=[m.TargetRegion(name="East US", regional_replica_count=2),
                                m.TargetRegion(name="West Europe", regional_replica_count=1)]),
            storage_profile=m.GalleryImageVersionStorageProfile(
                os_disk_image=m.GalleryOSDiskImage(source=m.GalleryDiskImageSource(uri="file://" + disk)))),
        api_version=API)
    # Poll with $expand=ReplicationStatus until replication completes.
    deadline = time.time() + 60
    while True:
        version = client.gallery_image_versions.get(rg, "sdkGallery", "sdkImage", "1.0.0", expand="ReplicationStatus", api_version=API)
        if version.replication_status.aggregated_state == "Completed" or time.time() > deadline:
            break
        time.sleep(0.2)
    assert version.replication_status.aggregated_state == "Completed"
    assert sorted((s.region, s.state, s.progress) for s in version.replication_status.summary) == \
        [("eastus", "Completed", 100), ("westeurope", "Completed", 100)]
    done = poller.result()
    assert done.provisioning_state == "Succeeded"
    assert sorted((t.name, t.regional_replica_count) for t in done.publishing_profile.target_regions) == [("eastus", 2), ("westeurope", 1)]

    # Change target regions and replica counts in place; the operation ends when replication does.
    updated = client.gallery_image_versions.begin_update(
        rg, "sdkGallery", "sdkImage", "1.0.0",
        m.GalleryImageVersionUpdate(publishing_profile=m.GalleryImageVersionPublishingProfile(
            target_regions=[m.TargetRegion(name="eastus", regional_replica_count=3),
                            m.TargetRegion(name="westeurope", regional_replica_count=1),
                            m.TargetRegion(name="northeurope", regional_replica_count=2)])),
        api_version=API).result()
    assert updated.provisioning_state == "Succeeded"
    assert sorted((t.name, t.regional_replica_count) for t in updated.publishing_profile.target_regions) == \
        [("eastus", 3), ("northeurope", 2), ("westeurope", 1)]
    status = client.gallery_image_versions.get(rg, "sdkGallery", "sdkImage", "1.0.0", expand="ReplicationStatus", api_version=API)
    assert status.replication_status.aggregated_state == "Completed"
    assert {s.region for s in status.replication_status.summary} == {"eastus", "westeurope", "northeurope"}

    excluded = client.gallery_image_versions.begin_update(
        rg, "sdkGallery", "sdkImage", "1.0.0",
        m.GalleryImageVersionUpdate(publishing_profile=m.GalleryImageVersionPublishingProfile(exclude_from_latest=True)),
        api_version=API).result()
    assert excluded.publishing_profile.exclude_from_latest is True

    listed = list(client.gallery_image_versions.list_by_gallery_image(rg, "sdkGallery", "sdkImage", api_version=API))
    assert [v.name for v in listed] == ["1.0.0"]

    client.gallery_image_versions.begin_delete(rg, "sdkGallery", "sdkImage", "1.0.0", api_version=API).result()
    assert list(client.gallery_image_versions.list_by_gallery_image(rg, "sdkGallery", "sdkImage", api_version=API)) == []
    client.gallery_images.begin_delete(rg, "sdkGallery", "sdkImage", api_version=API).result()
    client.galleries.begin_delete(rg, "sdkGallery", api_version=API).result()
    assert [g.name for g in client.galleries.list_by_resource_group(rg, api_version=API)] == []

    print(f"\nSDK test sent {len(sent)} requests")
    assert all(r.startswith(("GET", "PUT", "PATCH", "DELETE")) for r in sent)
    assert len(sent) < 400
