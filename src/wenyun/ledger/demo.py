"""The demo county's ledger: the shipped standards loaded, evidence attached (small PNG and PDF files
made here), an inspection of a township station with findings whose tasks stand in each state, a
satisfaction survey per township with answers, monthly snapshots back to the start of the year and
the year's performance rankings."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

from django.utils import timezone

from wenyun.core.demo import DemoContext
from wenyun.core.models import User
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import unit_root

from . import services
from .models import Scope, Snapshot, Standard, TaskState


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour with a darker band: a stand-in for a photo of an activity."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    dark = bytes(max(0, c - 60) for c in rgb)
    rows = b"".join(
        b"\x00" + (dark if height // 3 <= y < height // 2 else bytes(rgb)) * width for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(title: str) -> bytes:
    """A one-page PDF with an ASCII title line (the scanned letter it stands for would be in Chinese)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def build(ctx: DemoContext) -> None:
    county = unit_root()
    if county is None:
        return
    rng = ctx.rng("ledger")
    for path in services.standard_files():
        services.standard_load_file(actor=None, path=path)
    zone = Standard.objects.get(code="demo-zone-west-3")
    local = Standard.objects.get(code="township-village-local")
    grading = Standard.objects.get(code="county-institutions-grading")
    admin = User.objects.get(username="admin")
    station01 = User.objects.get(username="station01")

    # Evidence: the county's coordination documents, photos and registers from the first township.
    coordination = zone.indicators.get(code="3.1")
    services.evidence_add(
        actor=admin,
        unit=county,
        indicator=coordination,
        name="关于成立县公共文化服务体系建设协调领导小组的通知.pdf",
        content=pdf_bytes("Yunxi County: coordination group for the public cultural service system"),
        description="县政府办公室文件，成立由分管副县长任组长的协调领导小组",
    )
    services.evidence_add(
        actor=admin,
        unit=county,
        indicator=coordination,
        name="协调领导小组第一次会议纪要.pdf",
        content=pdf_bytes("Minutes of the first meeting of the coordination group"),
        description="第一次会议纪要：研究示范区创建任务分工",
    )
    register = local.indicators.get(code="V5")
    for village in Unit.objects.filter(parent__code="YX-S01").order_by("code")[:5]:
        services.evidence_add(
            actor=station01,
            unit=village,
            indicator=register,
            name=f"{village.code}-书屋制度上墙.png",
            content=png_bytes(48, 32, (rng.randint(120, 220), rng.randint(120, 220), rng.randint(120, 220))),
            description=f"{village.name}农家书屋管理制度上墙照片",
        )

    # Satisfaction: one survey per township station and one at the county library.
    opens = ctx.today - dt.timedelta(days=40)
    for unit in [
        *list(Unit.objects.filter(kind=UnitKind.STATION).order_by("code")),
        Unit.objects.get(code="YX-LIB"),
    ]:
        survey = services.survey_create(
            actor=None,
            unit=unit,
            title=f"{unit.name}群众满意度测评",
            opens=opens,
            closes=ctx.today + dt.timedelta(days=20),
        )
        mood = rng.uniform(3.2, 4.6)
        for number in range(ctx.scaled(rng.randint(12, 30))):
            scores = [max(1, min(5, round(rng.gauss(mood, 0.8)))) for _ in survey.questions]
            services.survey_answer(
                survey=survey,
                phone=f"13{rng.randint(0, 9)}{number:04d}{rng.randint(1000, 9999)}",
                scores=scores,
                comment=rng.choice(["", "", "希望增加少儿图书", "开放时间再长一些就好了", "活动很丰富"]),
                today=ctx.today,
            )

    # An inspection of a township station two months ago, its findings in every state.
    station = Unit.objects.get(code="YX-S03")
    visit_day = ctx.today - dt.timedelta(days=60)
    inspection = services.inspection_record(
        actor=admin,
        unit=station,
        standard=local,
        date=visit_day,
        inspectors="县文旅局创建办 王科长、县文化馆 李主任",
        summary="对照县实施标准逐项检查文化站设施、开放、活动和人员配备。",
    )
    results = ["pass", "fail", "pass", "fail", "pass"]
    for item, result in zip(inspection.items.order_by("indicator__position"), results, strict=False):
        services.checklist_mark(actor=admin, item=item, result=result)
    findings = [
        ("S2", "每周开放时间不足42小时，周末未开放", "站长", 30, "closed"),
        ("S4", "下属村级中心专职文化管理员未配齐", "站长", 45, "submitted"),
        ("S3", "全年活动计划未按季度分解，活动台账记录不全", "文化站业务员", 20, "open"),
        (None, "消防器材过期未更换", "文化站安全员", 90, "in_progress"),
    ]
    station_manager = User.objects.filter(unit=station).order_by("pk").first() or admin
    for code, text, owner, days, state in findings:
        task = services.finding_add(
            actor=admin,
            inspection=inspection,
            indicator=local.indicators.get(code=code) if code else None,
            text=text,
            owner=owner,
            deadline=visit_day + dt.timedelta(days=days),
        )
        if state in ("in_progress", "submitted", "closed"):
            services.task_transition(actor=station_manager, task=task, action="start")
        if state in ("submitted", "closed"):
            services.evidence_add(
                actor=station_manager,
                unit=station,
                task=task,
                name=f"整改-{task.pk}.pdf",
                content=pdf_bytes(f"Rectification report {task.pk}"),
                description=f"整改报告：{text}",
            )
            services.task_transition(
                actor=station_manager, task=task, action="submit", comment="已整改，附整改报告"
            )
        if state == "closed":
            services.task_transition(actor=admin, task=task, action="close", comment="复查合格")
        assert task.__class__.objects.get(pk=task.pk).state == TaskState(state)

    # Monthly snapshots since January, each computed as it would have been on its first of the month.
    year = ctx.today.year
    for standard in (zone, local, grading):
        for month in range(1, ctx.today.month + 1):
            day = dt.date(year, month, 1)
            snapshot = services.snapshot_take(
                actor=None, standard=standard, year=year, reason="monthly", today=day
            )
            Snapshot.objects.filter(pk=snapshot.pk).update(
                taken_at=timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))
            )

    for scope in (Scope.STATION, Scope.VILLAGE):
        services.evaluation_publish(actor=None, standard=local, year=year, scope=scope, today=ctx.today)
