import pytest

from balcao.core.filenames import EXECUTABLE_EXTENSIONS, is_executable, normalize_filename


@pytest.mark.parametrize(
    "name",
    [
        "invoice.exe",
        "invoice.EXE",
        "invoice.exe.",
        "invoice.exe . . ",
        "invoice.pdf.exe",
        "setup.hta",
        "panel.cpl",
        "console.msc",
        "old.pif",
        "keys.reg",
        "script.vbe",
        "job.wsf",
        "host.wsh",
        "code.jse",
        "explorer.scf",
        "types.ps1xml",
        "store.appx",
        "C:\\Users\\x\\Desktop\\run.bat",
        "../../etc/cron.d/x.sh",
        "a.exe::$DATA",
        "report\u202egpj.exe",
        "full\uff0e\uff45\uff58\uff45",  # full-width ".exe"
        "nul\x00.exe",
    ],
)
def test_executables_are_recognised_however_the_name_is_dressed(name):
    assert is_executable(name)


@pytest.mark.parametrize(
    "name", ["contrato.pdf", "foto.JPG", "planilha.xlsx", "notas.txt", "exe", "relatório.docx"]
)
def test_documents_are_not_executables(name):
    assert not is_executable(name)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("contrato.pdf. ", "contrato.pdf"),
        ("C:\\fakepath\\nota.pdf", "nota.pdf"),
        ("../../../etc/passwd", "passwd"),
        ("linha\nquebrada.txt", "linhaquebrada.txt"),
        ("  .  ", "attachment"),
        ("", "attachment"),
        ("cafe\u0301.txt", "café.txt"),  # combining accent composed (NFKC)
        ("report\u202egpj.exe", "reportgpj.exe"),
    ],
)
def test_names_are_normalised(raw, clean):
    assert normalize_filename(raw) == clean


def test_very_long_names_keep_their_extension():
    name = normalize_filename("a" * 1000 + ".pdf")
    assert len(name) == 255 and name.endswith(".pdf")


def test_the_usual_list_is_there():
    assert {".hta", ".cpl", ".msc", ".pif", ".reg", ".vbe", ".wsf", ".wsh"} <= EXECUTABLE_EXTENSIONS
    assert {".jse", ".scf", ".ps1xml", ".appx", ".exe", ".js", ".lnk"} <= EXECUTABLE_EXTENSIONS
