"""Azure's own azure-mgmt-compute SDK, unmodified, drives vmib through a gallery's life, with
the api-version it sends by default, and once more pinned to each older api-version vmib accepts."""
import calendar
import time
from urllib.parse import parse_qs, urlparse

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as m

from conftest import SUBSCRIPTION

# What vmib accepts for Microsoft.Compute, newest first (Sources/VMIBServer/HTTP/APIVersion.swift).
# The newest is what the pinned azure-mgmt-compute (scripts/setup) sends by default.
COMPUTE_API_VERSIONS = ["2026-03-03", "2025-03-03", "2024-03-03", "2023-07-03", "2022-08-03", "2022-03-03", "2022-01-03",
                        "2021-10-01", "2021-07-01"]


class StaticToken:
    """A credential that returns the configured token."""

    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, int(time.time()) + 3600)

    def get_token_info(self, *scopes, options=None):
        return AccessTokenInfo(self.token, int(time.time()) + 3600)


def months_after(date, months):
    """`date` plus calendar months, on the last day of a shorter month (as Foundation's Calendar)."""
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def api_versions(sent):
    return {parse_qs(urlparse(r.split(" ", 1)[1]).query).get("api-version", [None])[0] for r in sent}


def test_gallery_image_version_lifecycle_through_the_sdk(server):
    sent = []
    client = ComputeManagementClient(StaticToken(server.token), SUBSCRIPTION, base_url=server.base_url,
                                     connection_verify=False, polling_interval=0.2,
                                     raw_request_hook=lambda request: sent.append(f"{request.http_request.method} {request.http_request.url}"))
    rg = "sdk-rg"

    # Not the server's home region (eastus): the gallery reports the location and tags it was created with.
    gallery = client.galleries.begin_create_or_update(rg, "sdkGallery", m.Gallery(location="westeurope", description="from the SDK",
                                                                                  tags={"team": "sdk"})).result()
    assert gallery.name == "sdkGallery" and gallery.description == "from the SDK"
    assert gallery.location == "westeurope" and gallery.tags == {"team": "sdk"}
    assert client.galleries.get(rg, "sdkGallery").tags == {"team": "sdk"}
    assert gallery.provisioning_state == "Succeeded"

    image = client.gallery_images.begin_create_or_update(
        rg, "sdkGallery", "sdkImage",
        m.GalleryImage(location="eastus", os_type="Linux", os_state="Generalized", hyper_v_generation="V2",
                       identifier=m.GalleryImageIdentifier(publisher="vmib", offer="tests", sku="sdk"))).result()
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
                os_disk_image=m.GalleryOSDiskImage(source=m.GalleryDiskImageSource(uri="file://" + disk)))))
    # Poll with $expand=ReplicationStatus until replication completes.
    deadline = time.time() + 60
    while True:
        version = client.gallery_image_versions.get(rg, "sdkGallery", "sdkImage", "1.0.0", expand="ReplicationStatus")
        if version.replication_status.aggregated_state == "Completed" or time.time() > deadline:
            break
        time.sleep(0.2)
    assert version.replication_status.aggregated_state == "Completed"
    assert sorted((s.region, s.state, s.progress) for s in version.replication_status.summary) == \
        [("eastus", "Completed", 100), ("westeurope", "Completed", 100)]
    done = poller.result()
    assert done.provisioning_state == "Succeeded"
    # GalleryRP 2026-03-03: without an end of life the version gets one six months after it was
    # published, and its deletion is blocked before then.
    published = done.publishing_profile.published_date
    assert abs((done.publishing_profile.end_of_life_date - months_after(published, 6)).total_seconds()) < 0.002, \
        (published, done.publishing_profile.end_of_life_date)
    assert done.safety_profile.block_deletion_before_end_of_life is True
    assert sorted((t.name, t.regional_replica_count) for t in done.publishing_profile.target_regions) == [("eastus", 2), ("westeurope", 1)]

    # Change target regions and replica counts in place; the operation ends when replication does.
    updated = client.gallery_image_versions.begin_update(
        rg, "sdkGallery", "sdkImage", "1.0.0",
        m.GalleryImageVersionUpdate(publishing_profile=m.GalleryImageVersionPublishingProfile(
            target_regions=[m.TargetRegion(name="eastus", regional_replica_count=3),
                            m.TargetRegion(name="westeurope", regional_replica_count=1),
                            m.TargetRegion(name="northeurope", regional_replica_count=2)]))).result()
    assert updated.provisioning_state == "Succeeded"
    assert sorted((t.name, t.regional_replica_count) for t in updated.publishing_profile.target_regions) == \
        [("eastus", 3), ("northeurope", 2), ("westeurope", 1)]
    status = client.gallery_image_versions.get(rg, "sdkGallery", "sdkImage", "1.0.0", expand="ReplicationStatus")
    assert status.replication_status.aggregated_state == "Completed"
    assert {s.region for s in status.replication_status.summary} == {"eastus", "westeurope", "northeurope"}

    excluded = client.gallery_image_versions.begin_update(
        rg, "sdkGallery", "sdkImage", "1.0.0",
        m.GalleryImageVersionUpdate(publishing_profile=m.GalleryImageVersionPublishingProfile(exclude_from_latest=True))).result()
    assert excluded.publishing_profile.exclude_from_latest is True

    listed = list(client.gallery_image_versions.list_by_gallery_image(rg, "sdkGallery", "sdkImage"))
    assert [v.name for v in listed] == ["1.0.0"]

    with pytest.raises(HttpResponseError) as refused:
        client.gallery_image_versions.begin_delete(rg, "sdkGallery", "sdkImage", "1.0.0").result()
    assert refused.value.status_code == 409 and "blockDeletionBeforeEndOfLife" in str(refused.value)
    unblocked = client.gallery_image_versions.begin_update(
        rg, "sdkGallery", "sdkImage", "1.0.0",
        m.GalleryImageVersionUpdate(safety_profile=m.GalleryImageVersionSafetyProfile(block_deletion_before_end_of_life=False))).result()
    assert unblocked.safety_profile.block_deletion_before_end_of_life is False
    assert unblocked.publishing_profile.end_of_life_date == done.publishing_profile.end_of_life_date

    client.gallery_image_versions.begin_delete(rg, "sdkGallery", "sdkImage", "1.0.0").result()
    assert list(client.gallery_image_versions.list_by_gallery_image(rg, "sdkGallery", "sdkImage")) == []
    client.gallery_images.begin_delete(rg, "sdkGallery", "sdkImage").result()
    client.galleries.begin_delete(rg, "sdkGallery").result()
    assert [g.name for g in client.galleries.list_by_resource_group(rg)] == []

    print(f"\nSDK test sent {len(sent)} requests")
    assert all(r.startswith(("GET", "PUT", "PATCH", "DELETE")) for r in sent)
    assert len(sent) < 400
    # Nothing pinned: every request carried the SDK's default, the newest api-version vmib accepts.
    assert api_versions(sent) == {COMPUTE_API_VERSIONS[0]}


@pytest.mark.parametrize("api_version", COMPUTE_API_VERSIONS[1:])
def test_older_api_version_round_trip_keeps_versions_without_lifecycle_defaults(server, api_version):
    """Pinned to an older api-version: create, get and delete a gallery, an image and a version;
    the version gets no end of life and may be deleted at once, as before GalleryRP 2026-03-03."""
    sent = []
    client = ComputeManagementClient(StaticToken(server.token), SUBSCRIPTION, base_url=server.base_url,
                                     connection_verify=False, polling_interval=0.2,
                                     raw_request_hook=lambda request: sent.append(f"{request.http_request.method} {request.http_request.url}"))
    rg, gallery = "sdk-older", "g" + api_version.replace("-", "")
    pin = dict(api_version=api_version)
    client.galleries.begin_create_or_update(rg, gallery, m.Gallery(location="eastus"), **pin).result()
    assert client.galleries.get(rg, gallery, **pin).name == gallery
    client.gallery_images.begin_create_or_update(
        rg, gallery, "img",
        m.GalleryImage(location="eastus", os_type="Linux", os_state="Generalized",
                       identifier=m.GalleryImageIdentifier(publisher="vmib", offer="older", sku=gallery)), **pin).result()
    assert client.gallery_images.get(rg, gallery, "img", **pin).identifier.sku == gallery
    disk = server.disk(f"{gallery}.raw", 64 * 1024)
    created = client.gallery_image_versions.begin_create_or_update(
        rg, gallery, "img", "1.0.0",
        m.GalleryImageVersion(
            location="eastus",
            storage_profile=m.GalleryImageVersionStorageProfile(
                os_disk_image=m.GalleryOSDiskImage(source=m.GalleryDiskImageSource(uri="file://" + disk)))), **pin).result()
    assert created.provisioning_state == "Succeeded"
    version = client.gallery_image_versions.get(rg, gallery, "img", "1.0.0", **pin)
    assert version.publishing_profile.end_of_life_date is None
    assert not version.safety_profile.block_deletion_before_end_of_life

    client.gallery_image_versions.begin_delete(rg, gallery, "img", "1.0.0", **pin).result()
    with pytest.raises(ResourceNotFoundError):
        client.gallery_image_versions.get(rg, gallery, "img", "1.0.0", **pin)
    client.gallery_images.begin_delete(rg, gallery, "img", **pin).result()
    client.galleries.begin_delete(rg, gallery, **pin).result()
    with pytest.raises(ResourceNotFoundError):
        client.galleries.get(rg, gallery, **pin)
    assert api_versions(sent) == {api_version}
