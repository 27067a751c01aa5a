"""A SourceImage trigger through Azure's own SDKs, unmodified and unpinned: a template that
patches a gallery image's latest version runs by itself when a new version of that image is
published, and a server restarted in the middle of that run resumes it rather than running
the template twice."""
import json
import os
import ssl
import subprocess
import time
import urllib.request

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as cm
from azure.mgmt.imagebuilder import ImageBuilderClient
from azure.mgmt.imagebuilder import models as ib

from conftest import ROOT, SUBSCRIPTION, prepare, start_server, stop_server
from test_compute_sdk import StaticToken

RG = "sdk-trigger"


def _busybox(path):
    subprocess.run([os.path.join(ROOT, "scripts", "make-busybox-image"), path, "--layout", "gpt"], check=True, capture_output=True)
    return path


def _raw(server, path, api_version="2025-10-01"):
    """The server's JSON for `path`, as sent (vmib's members the SDK's models drop included)."""
    request = urllib.request.Request(f"{server.base_url}{path}?api-version={api_version}",
                                     headers={"Authorization": f"Bearer {server.token}"})
    with urllib.request.urlopen(request, context=ssl._create_unverified_context(), timeout=10) as r:
        return json.load(r)


def _wait(what, predicate, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def _clients(server):
    common = dict(base_url=server.base_url, connection_verify=False, polling_interval=0.2)
    return (ComputeManagementClient(StaticToken(server.token), SUBSCRIPTION, **common),
            ImageBuilderClient(StaticToken(server.token), SUBSCRIPTION, **common))


def _publish(compute, image, version, disk):
    return compute.gallery_image_versions.begin_create_or_update(
        RG, "trigGallery", image, version,
        cm.GalleryImageVersion(
            location="eastus",
            publishing_profile=cm.GalleryImageVersionPublishingProfile(target_regions=[cm.TargetRegion(name="eastus")]),
            storage_profile=cm.GalleryImageVersionStorageProfile(
                os_disk_image=cm.GalleryOSDiskImage(source=cm.GalleryDiskImageSource(uri="file://" + disk))))).result()


def test_a_trigger_runs_the_template_once_for_a_new_source_version_across_a_restart(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("building an image needs root (a build VM)")
    work = str(tmp_path)
    prepare(work)
    server = start_server(work, extra=("--trigger-interval", "1"))
    try:
        compute, builder = _clients(server)
        compute.galleries.begin_create_or_update(RG, "trigGallery", cm.Gallery(location="eastus")).result()
        images = {}
        for name in ("base", "patched"):
            images[name] = compute.gallery_images.begin_create_or_update(
                RG, "trigGallery", name,
                cm.GalleryImage(location="eastus", os_type="Linux", os_state="Generalized", hyper_v_generation="V2",
                                identifier=cm.GalleryImageIdentifier(publisher="vmib", offer="busybox", sku=name))).result()
        _publish(compute, "base", "1.0.0", _busybox(os.path.join(work, "base-1.0.0.img")))

        template = ib.ImageTemplate(
            location="eastus", identity=ib.ImageTemplateIdentity(type="None"),
            properties=ib.ImageTemplateProperties(
                source=ib.ImageTemplateSharedImageVersionSource(image_version_id=images["base"].id + "/versions/latest"),
                customize=[ib.ImageTemplateShellCustomizer(name="patch", inline=["echo patched > /etc/patched"])],
                distribute=[ib.ImageTemplateSharedImageDistributor(
                    run_output_name="patched", gallery_image_id=images["patched"].id,
                    target_regions=[ib.TargetRegion(name="eastus", replica_count=1)])],
                build_timeout_in_minutes=20))
        builder.virtual_machine_image_templates.begin_create_or_update(RG, "patcher", template).result()
        trigger = builder.triggers.begin_create_or_update(
            RG, "patcher", "source", ib.Trigger(properties=ib.SourceImageTriggerProperties())).result()
        assert trigger.name == "source" and trigger.properties.kind == "SourceImage"
        assert trigger.properties.status.code == "Enabled", trigger.properties.status
        assert [t.name for t in builder.triggers.list_by_image_template(RG, "patcher")] == ["source"]

        # 1.0.0 was there when the trigger was made: several checks later, nothing has run.
        time.sleep(3)
        assert builder.virtual_machine_image_templates.get(RG, "patcher").properties.last_run_status is None

        # A new version of the source image: the template runs by itself, for that version.
        _publish(compute, "base", "1.1.0", _busybox(os.path.join(work, "base-1.1.0.img")))
        template_path = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.VirtualMachineImages/imageTemplates/patcher"
        running = _wait("the triggered run to reach its build VM", lambda: (
            lambda s: s if s and s.get("runSubState") in ("Customizing", "Validating", "Distributing") else None)(
            _raw(server, template_path)["properties"].get("lastRunStatus")), timeout=300)
        assert running["runState"] == "Running"
        assert running["triggeredBy"] == {"trigger": "source", "sourceVersion": "1.1.0"}, running
        run_id = running["runId"]

        # The server stops in the middle of the run, and starts again over the same state.
        stop_server(server)
        server = start_server(work, extra=("--trigger-interval", "1"), log_name="serve-2.log")
        compute, builder = _clients(server)
        ended = _wait("the resumed run to end", lambda: (
            lambda s: s if s and s["runState"] not in ("Running", "Canceling") else None)(
            _raw(server, template_path)["properties"].get("lastRunStatus")))
        assert ended["runState"] == "Succeeded", ended
        assert ended["runId"] == run_id, "the run was resumed, not started again"
        assert "resum" in open(os.path.join(work, "serve-2.log")).read()

        # Several checks after it: still that one run, and one new version in the target image.
        time.sleep(3)
        last = builder.virtual_machine_image_templates.get(RG, "patcher").properties.last_run_status
        assert last.run_state == "Succeeded"
        assert _raw(server, template_path)["properties"]["lastRunStatus"]["runId"] == run_id
        versions = list(compute.gallery_image_versions.list_by_gallery_image(RG, "trigGallery", "patched"))
        assert len(versions) == 1 and versions[0].provisioning_state == "Succeeded", versions
        shown = _raw(server, template_path + "/triggers/source")
        assert shown["properties"]["vmib"] == {"lastSourceVersion": "1.1.0", "lastTriggeredVersion": "1.1.0", "lastRunId": run_id}, shown
        assert builder.triggers.get(RG, "patcher", "source").properties.status.code == "Enabled"

        builder.triggers.begin_delete(RG, "patcher", "source").result()
        assert list(builder.triggers.list_by_image_template(RG, "patcher")) == []
    finally:
        stop_server(server)
