"""Azure's own azure-mgmt-imagebuilder SDK, unmodified, drives vmib's image templates:
create a template (PlatformImage from a marketplace catalog, a Shell customizer, a
SharedImage distributor to a gallery image made with azure-mgmt-compute, and a VHD), run it,
read its run outputs, delete it."""
import hashlib
import json
import os
import subprocess

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from azure.mgmt.imagebuilder import ImageBuilderClient
from azure.mgmt.imagebuilder import models as ib

from conftest import ROOT, SUBSCRIPTION
from test_compute_sdk import COMPUTE_API_VERSIONS, StaticToken, api_versions

RG = "sdk-ib"


def _platform_image(server):
    """A few-MiB busybox GPT disk as the platform image vmib:busybox:gpt:1.0.0 (file URL)."""
    image = os.path.join(server.workdir, "busybox-gpt.img")
    subprocess.run([os.path.join(ROOT, "scripts", "make-busybox-image"), image, "--layout", "gpt"], check=True, capture_output=True)
    sha = hashlib.sha256(open(image, "rb").read()).hexdigest()
    state = os.path.join(server.workdir, "state")
    os.makedirs(state, exist_ok=True)
    with open(os.path.join(state, "marketplace.json"), "w") as f:
        json.dump({"entries": [{"publisher": "vmib", "offer": "busybox", "sku": "gpt", "version": "1.0.0", "url": "file://" + image,
                                "sha256": sha, "diskFormat": "raw", "osType": "Linux", "hyperVGeneration": "V2"}]}, f)


def test_image_template_create_run_outputs_delete_through_the_sdk(server):
    if os.geteuid() != 0:
        pytest.skip("building an image needs root (loop mounts in a namespace)")
    _platform_image(server)
    sent = []
    hook = lambda request: sent.append(f"{request.http_request.method} {request.http_request.url}")
    common = dict(base_url=server.base_url, connection_verify=False, polling_interval=0.2, raw_request_hook=hook)
    compute = ComputeManagementClient(StaticToken(server.token), SUBSCRIPTION, **common)
    builder = ImageBuilderClient(StaticToken(server.token), SUBSCRIPTION, **common)

    compute.galleries.begin_create_or_update(RG, "ibGallery", cm.Gallery(location="eastus")).result()
    image = compute.gallery_images.begin_create_or_update(
        RG, "ibGallery", "ibImage",
        cm.GalleryImage(location="eastus", os_type="Linux", os_state="Generalized", hyper_v_generation="V2",
                        identifier=cm.GalleryImageIdentifier(publisher="vmib", offer="busybox", sku="sdk"))).result()

    template = ib.ImageTemplate(
        location="eastus", tags={"source": "sdk"}, identity=ib.ImageTemplateIdentity(type="None"),
        properties=ib.ImageTemplateProperties(
            source=ib.ImageTemplatePlatformImageSource(publisher="vmib", offer="busybox", sku="gpt", version="latest"),
            customize=[ib.ImageTemplateShellCustomizer(name="stamp", inline=["echo built-by-sdk > /etc/sdk-stamp"])],
            distribute=[
                ib.ImageTemplateSharedImageDistributor(
                    run_output_name="toGallery", gallery_image_id=image.id,
                    target_regions=[ib.TargetRegion(name="eastus", replica_count=1), ib.TargetRegion(name="westeurope")]),
                ib.ImageTemplateVhdDistributor(run_output_name="asVhd"),
            ],
            build_timeout_in_minutes=10))
    created = builder.virtual_machine_image_templates.begin_create_or_update(RG, "sdkTemplate", template).result()
    assert created.name == "sdkTemplate" and created.properties.provisioning_state == "Succeeded"
    assert created.properties.source.sku == "gpt" and created.tags == {"source": "sdk"}
    # Templates are immutable: the same body again is fine, another body is refused (409).
    builder.virtual_machine_image_templates.begin_create_or_update(RG, "sdkTemplate", template).result()
    template.properties.build_timeout_in_minutes = 20
    with pytest.raises(HttpResponseError) as refused:
        builder.virtual_machine_image_templates.begin_create_or_update(RG, "sdkTemplate", template).result()
    assert refused.value.status_code == 409 and "cannot be updated" in str(refused.value)

    builder.virtual_machine_image_templates.begin_run(RG, "sdkTemplate").result()

    shown = builder.virtual_machine_image_templates.get(RG, "sdkTemplate")
    assert shown.properties.last_run_status.run_state == "Succeeded", shown.properties.last_run_status
    assert shown.properties.last_run_status.end_time is not None
    outputs = {o.name: o for o in builder.virtual_machine_image_templates.list_run_outputs(RG, "sdkTemplate")}
    assert set(outputs) == {"toGallery", "asVhd"}
    assert all(o.properties.provisioning_state == "Succeeded" for o in outputs.values())
    assert outputs["toGallery"].properties.artifact_id.startswith(image.id + "/versions/")
    assert outputs["asVhd"].properties.artifact_uri.endswith(".vhd")
    one = builder.virtual_machine_image_templates.get_run_output(RG, "sdkTemplate", "asVhd")
    assert one.properties.artifact_uri == outputs["asVhd"].properties.artifact_uri
    assert [t.name for t in builder.virtual_machine_image_templates.list_by_resource_group(RG)] == ["sdkTemplate"]

    # The version the SharedImage distributor published is in the gallery, replicated.
    version_name = outputs["toGallery"].properties.artifact_id.rsplit("/", 1)[1]
    version = compute.gallery_image_versions.get(RG, "ibGallery", "ibImage", version_name, expand="ReplicationStatus")
    assert version.provisioning_state == "Succeeded"
    assert sorted(s.region for s in version.replication_status.summary) == ["eastus", "westeurope"]

    builder.virtual_machine_image_templates.begin_delete(RG, "sdkTemplate").result()
    with pytest.raises(ResourceNotFoundError):
        builder.virtual_machine_image_templates.get(RG, "sdkTemplate")
    assert list(builder.virtual_machine_image_templates.list_by_resource_group(RG)) == []

    print(f"\nimagebuilder SDK test sent {len(sent)} requests")
    assert len(sent) < 200
    # Neither client is pinned: each sends its SDK's default api-version.
    assert api_versions([r for r in sent if "/Microsoft.Compute/" in r]) == {COMPUTE_API_VERSIONS[0]}
    assert api_versions([r for r in sent if "/Microsoft.VirtualMachineImages/" in r]) == {"2025-10-01"}
