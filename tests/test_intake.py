"""Files that are not reports (已忽略) and zip archives of workbooks (each member checked as its own file, under
the archive's limits), through check_files, `tianbao check --json` and merge."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidation_data import COUNTY, YEAR, balanced, make_file
from tianbao.cli.main import app
from tianbao.consolidation import merge_files, write_consolidated
from tianbao.intake import ignored_reason, member_ignored_reason
from tianbao.intake.archive import MAX_DEPTH, member_name
from tianbao.intake.ignore import FILE_ATTRIBUTE_HIDDEN
from tianbao.options import CheckOptions
from tianbao.reading.container import MAX_MEMBERS, human_size
from tianbao.reading.model import Limits
from tianbao.roster import Unit
from tianbao.spec import load_spec
from tianbao.validation import check_files

SPEC = load_spec("2021")
A = Unit("150723100", "阿里河镇人民政府", "乡镇", COUNTY, 2)
B = Unit("150723101", "大杨树镇人民政府", "乡镇", COUNTY, 3)
CONTACT = {"meta.filled_by": "张三", "meta.phone": "123"}
runner = CliRunner()
NOT_REPORTS = {
    "~$阿里河镇.xlsx": "Excel 或 WPS 打开文件时留下的临时锁定文件（文件名以 ~$ 开头）",
    ".~lock.阿里河镇.xlsx#": "LibreOffice 或 WPS 打开文件时留下的锁定文件（文件名以 .~lock. 开头）",
    "Thumbs.db": "Windows 的缩略图缓存",
    "desktop.ini": "Windows 的文件夹设置",
    ".DS_Store": "macOS 的文件夹设置",
    "._阿里河镇.xlsx": "macOS 复制文件时留下的附加信息文件（文件名以 ._ 开头）",
    ".阿里河镇.xlsx.tmp": "隐藏文件（文件名以 . 开头）",
}


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Two accepted workbooks (of A and B), by file name → bytes."""
    folder = tmp_path_factory.mktemp("good") / "in"
    folder.mkdir()
    a = make_file(SPEC, folder, "阿里河镇.xlsx", A, balanced(1))
    b = make_file(SPEC, folder, "大杨树镇.xlsx", B, balanced(2))
    return {p.name: p.read_bytes() for p in (a, b)}


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 15, 9, 30, 0)), data, compression)
    return buf.getvalue()


def test_files_that_are_not_reports_are_ignored_not_returned(tmp_path: Path, good: dict[str, bytes]) -> None:
    (tmp_path / "阿里河镇.xlsx").write_bytes(good["阿里河镇.xlsx"])
    for name in NOT_REPORTS:
        (tmp_path / name).write_bytes(b"\x00" * 165)
    result = runner.invoke(app, ["check", str(tmp_path), "--year", str(YEAR), "--json"])
    assert result.exit_code == 0, result.output  # nothing returned
    data = json.loads(result.stdout)
    assert [Path(f["path"]).name for f in data["files"]] == ["阿里河镇.xlsx"]
    assert {Path(i["path"]).name: i["reason"] for i in data["ignored"]} == NOT_REPORTS
    assert data["summary"]["files"] == 1 and data["summary"]["ignored"] == len(NOT_REPORTS)
    shown = runner.invoke(app, ["check", str(tmp_path), "--year", str(YEAR)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert f"已忽略 {len(NOT_REPORTS)} 个不是报表的文件（不计入检查结果）：" in shown.output
    assert f"  {tmp_path / 'Thumbs.db'}（Windows 的缩略图缓存）" in shown.output


def test_hidden_attribute_and_archive_folders() -> None:
    assert ignored_reason("报表.xlsx", attributes=FILE_ATTRIBUTE_HIDDEN) == "隐藏文件（Windows 的隐藏属性）"
    assert ignored_reason("报表.xlsx", attributes=0x20) is None  # FILE_ATTRIBUTE_ARCHIVE: an ordinary file
    assert ignored_reason("报表.xlsx") is None
    assert (
        member_ignored_reason("__MACOSX/回收/._报表.xlsx") == "macOS 压缩时附带的系统文件（__MACOSX 文件夹）"
    )
    assert member_ignored_reason(".git/报表.xlsx") == "在隐藏文件夹中"
    assert member_ignored_reason("回收/desktop.ini") == "Windows 的文件夹设置"


def test_a_folder_of_only_ignored_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "Thumbs.db").write_bytes(b"x")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        f"错误：没有可检查的文件：找到的 1 个文件都不是报表，已忽略：{tmp_path / 'Thumbs.db'}（Windows 的缩略图缓存）"
        in result.output.replace("\n", "")
    )


def test_each_workbook_in_a_zip_is_checked(tmp_path: Path, good: dict[str, bytes]) -> None:
    (tmp_path / "回收.zip").write_bytes(
        zip_bytes(
            {
                "各镇/阿里河镇.xlsx": good["阿里河镇.xlsx"],
                "大杨树镇.xlsx": good["大杨树镇.xlsx"],
                "说明.txt": "见附件".encode(),
                "__MACOSX/各镇/._阿里河镇.xlsx": b"\x00\x05",
            }
        )
    )
    report = check_files([tmp_path], CheckOptions(year=YEAR, jobs=1)).report
    zipped = str(tmp_path / "回收.zip")
    assert [(f.path, f.status) for f in report.files] == [
        (f"{zipped}!各镇/阿里河镇.xlsx", "accepted"),
        (f"{zipped}!大杨树镇.xlsx", "accepted"),
        (f"{zipped}!说明.txt", "rejected"),
    ]
    member = report.files[0].submission
    assert member.sha256 == hashlib.sha256(good["阿里河镇.xlsx"]).hexdigest()
    assert member.unit_code == A.code
    assert [a.to_dict() for a in report.archives] == [
        {
            "path": zipped,
            "members": [f"{zipped}!各镇/阿里河镇.xlsx", f"{zipped}!大杨树镇.xlsx", f"{zipped}!说明.txt"],
        }
    ]
    assert [i.path for i in report.ignored] == [f"{zipped}!__MACOSX/各镇/._阿里河镇.xlsx"]


def test_merge_of_a_zip_counts_its_workbooks_and_is_deterministic(
    tmp_path: Path, good: dict[str, bytes]
) -> None:
    outs = []
    for i, order in enumerate((["阿里河镇.xlsx", "大杨树镇.xlsx"], ["大杨树镇.xlsx", "阿里河镇.xlsx"])):
        inbox = tmp_path / f"in{i}"
        inbox.mkdir()
        (inbox / "回收.zip").write_bytes(zip_bytes({name: good[name] for name in order}))
        result = merge_files(
            [inbox], CheckOptions(year=YEAR, jobs=1), unit_code=COUNTY, unit_name="鄂伦春自治旗"
        )
        assert [m.unit_code for m in result.members] == [A.code, B.code]
        assert [m.file for m in result.members] == ["回收.zip!阿里河镇.xlsx", "回收.zip!大杨树镇.xlsx"]
        outs.append(tmp_path / f"out{i}.xlsx")
        write_consolidated(result, outs[-1])
    assert outs[0].read_bytes() == outs[1].read_bytes()


def _patched(data: bytes, old: bytes, new: bytes) -> bytes:
    assert len(old) == len(new) and data.count(old) == 2  # the local header and the central directory
    return data.replace(old, new)


def test_gbk_names_as_windows_writes_them(tmp_path: Path, good: dict[str, bytes]) -> None:
    gbk = "阿里河镇.xlsx".encode("gbk")
    placeholder = b"A" * (len(gbk) - 5) + b".xlsx"
    data = zip_bytes({placeholder.decode(): good["阿里河镇.xlsx"]})
    (tmp_path / "报表.zip").write_bytes(_patched(data, placeholder, gbk))  # no UTF-8 flag, as Windows writes
    with zipfile.ZipFile(tmp_path / "报表.zip") as z:
        info = z.infolist()[0]
        assert not info.flag_bits & 0x800 and info.filename != "阿里河镇.xlsx"
        assert member_name(info) == "阿里河镇.xlsx"
    report = check_files([tmp_path], CheckOptions(year=YEAR, jobs=1)).report
    assert [f.path for f in report.files] == [f"{tmp_path / '报表.zip'}!阿里河镇.xlsx"]


def _one(folder: Path, name: str, data: bytes, **options) -> list[str]:  # type: ignore[no-untyped-def]
    (folder / name).write_bytes(data)
    report = check_files([folder], CheckOptions(year=YEAR, jobs=1, **options)).report
    prefix = f"{folder}{os.sep}"
    return [
        f"{f.path.removeprefix(prefix)}: {i.message}" for f in report.files for i in f.issues if i.is_error
    ]


def test_path_traversal_and_absolute_names_are_refused(tmp_path: Path, good: dict[str, bytes]) -> None:
    data = zip_bytes({"../../outside.xlsx": good["阿里河镇.xlsx"], "/etc/abs.xlsx": good["大杨树镇.xlsx"]})
    refused = "工作簿内容异常，为安全起见未读取：压缩包中的文件名指向压缩包之外（含有“..”或绝对路径）。"
    assert _one(tmp_path, "a.zip", data) == [
        f"a.zip!../../outside.xlsx: {refused}",
        f"a.zip!/etc/abs.xlsx: {refused}",
    ]
    assert not (tmp_path.parent / "outside.xlsx").exists()


def test_encrypted_members_and_zip_bombs_are_refused(tmp_path: Path, good: dict[str, bytes]) -> None:
    data = zip_bytes({"locked.xlsx": good["阿里河镇.xlsx"]})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.infolist()[0]
    flags = info.flag_bits.to_bytes(2, "little")
    local = (
        data[: info.header_offset + 6]
        + (info.flag_bits | 1).to_bytes(2, "little")
        + data[info.header_offset + 8 :]
    )
    central = local.rfind(b"PK\x01\x02")
    locked = local[: central + 8] + (info.flag_bits | 1).to_bytes(2, "little") + local[central + 10 :]
    assert flags != locked[central + 8 : central + 10]
    assert _one(tmp_path, "locked.zip", locked) == [
        "locked.zip!locked.xlsx: 文件无法读取：压缩包中的这个文件设置了密码，无法解压。"
    ]
    (tmp_path / "locked.zip").unlink()
    bomb = zip_bytes({"bomb.xlsx": b"\x00" * (4 << 20)})
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        ratio = z.infolist()[0].file_size / z.infolist()[0].compress_size
    assert _one(tmp_path, "bomb.zip", bomb) == [
        f"bomb.zip!bomb.xlsx: 工作簿内容异常，为安全起见未读取：压缩包中的这个文件压缩比异常（{ratio:.0f} 倍）。"
    ]


def test_archive_limits_total_members_and_depth(tmp_path: Path, good: dict[str, bytes]) -> None:
    data = zip_bytes({"阿里河镇.xlsx": good["阿里河镇.xlsx"], "大杨树镇.xlsx": good["大杨树镇.xlsx"]})
    small = Limits(max_uncompressed=len(good["阿里河镇.xlsx"]) + 10)
    both = human_size(len(good["阿里河镇.xlsx"]) + len(good["大杨树镇.xlsx"]))
    assert _one(tmp_path, "a.zip", data, limits=small) == [
        f"a.zip: 压缩包解压后大小 {both} 超过上限 {human_size(small.max_uncompressed)}，未读取；"
        "可用 --max-uncompressed 放宽上限。"
    ]
    (tmp_path / "a.zip").unlink()
    many = zip_bytes({f"{i}.txt": b"" for i in range(MAX_MEMBERS + 1)}, zipfile.ZIP_STORED)
    assert _one(tmp_path, "many.zip", many) == [
        f"many.zip: 工作簿内容异常，为安全起见未读取：压缩包内有 {MAX_MEMBERS + 1} 个文件。"
    ]
    (tmp_path / "many.zip").unlink()
    inner = zip_bytes({"阿里河镇.xlsx": good["阿里河镇.xlsx"]})
    twice = zip_bytes({"各镇.zip": inner})  # an archive in an archive: opened
    assert _one(tmp_path, "twice.zip", twice) == []
    report = check_files([tmp_path / "twice.zip"], CheckOptions(year=YEAR, jobs=1)).report
    assert [f.path for f in report.files] == [f"{tmp_path / 'twice.zip'}!各镇.zip!阿里河镇.xlsx"]
    thrice = zip_bytes({"旗.zip": twice})
    (tmp_path / "twice.zip").unlink()
    assert _one(tmp_path, "thrice.zip", thrice) == [
        f"thrice.zip!旗.zip!各镇.zip: 工作簿内容异常，为安全起见未读取：压缩包中套压缩包超过 {MAX_DEPTH} 层。"
    ]


def test_a_renamed_zip_and_other_archives_get_a_clear_verdict(tmp_path: Path, good: dict[str, bytes]) -> None:
    data = zip_bytes({"阿里河镇.xlsx": good["阿里河镇.xlsx"]})
    assert _one(tmp_path, "报表.xlsx", data) == [
        "报表.xlsx: 这不是 Excel 工作簿（.xlsx）：这是压缩包，里面有 1 个 Excel 工作簿；"
        "请把文件的扩展名改为 .zip 后再检查（会逐个检查其中的工作簿）。"
    ]
    (tmp_path / "报表.xlsx").unlink()
    assert _one(tmp_path, "报表.7z", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 40) == [
        "报表.7z: 这不是 Excel 工作簿（.xlsx）：这是 7z 压缩包（tianbao 只打开 .zip 压缩包：请解压后检查其中的工作簿，"
        "或改用 .zip 压缩）。"
    ]
