"""Names of uploaded files, made safe to store and to judge by their type.

Windows ignores trailing dots and spaces (``invoice.exe.`` runs as ``invoice.exe``), a
right-to-left override hides the real extension (``report\u202egpj.exe``), full-width letters
fold to ASCII (``．ｅｘｅ``), and ``a.exe::$DATA`` names a stream of ``a.exe``: the name is
normalised first, then its extension is checked.
"""

import unicodedata
from pathlib import PurePath

FALLBACK_NAME = "attachment"
MAX_LENGTH = 255

# Programs, scripts, installers and shortcuts that Windows (or a browser) runs when opened.
EXECUTABLE_EXTENSIONS = frozenset(
    {
        ".ade", ".adp", ".apk", ".app", ".appx", ".appxbundle", ".application", ".bas", ".bat",
        ".cab", ".chm", ".cmd", ".com", ".cpl", ".crt", ".dll", ".exe", ".gadget", ".hlp",
        ".hta", ".inf", ".ins", ".isp", ".iso", ".jar", ".js", ".jse", ".ksh", ".lnk", ".mde",
        ".msc", ".msh", ".msh1", ".msh2", ".mshxml", ".msi", ".msix", ".msixbundle", ".msp",
        ".mst", ".ocx", ".pif", ".ps1", ".ps1xml", ".ps2", ".ps2xml", ".psc1", ".psc2", ".psd1",
        ".psm1", ".reg", ".scf", ".scr", ".sct", ".sh", ".shb", ".shs", ".sys", ".url", ".vb",
        ".vbe", ".vbs", ".vhd", ".vhdx", ".vxd", ".ws", ".wsc", ".wsf", ".wsh", ".xbap", ".xll",
    }
)  # fmt: skip


def normalize_filename(name: str) -> str:
    """The file name as it will be stored and judged: NFKC-folded, without folders, control
    or format characters (NUL, newlines, bidirectional overrides), NTFS stream suffixes,
    nor leading/trailing dots and spaces; at most 255 characters, keeping the extension."""
    name = unicodedata.normalize("NFKC", name or "")
    name = "".join(c for c in name if unicodedata.category(c) not in {"Cc", "Cf", "Cs"})
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = name.split(":", 1)[0].strip(" .")
    if not name:
        return FALLBACK_NAME
    if len(name) > MAX_LENGTH:
        suffix = PurePath(name).suffix[:16]
        name = name[: MAX_LENGTH - len(suffix)] + suffix
    return name


def is_executable(name: str) -> bool:
    """Whether the file would run when opened, judged on the normalised name."""
    return PurePath(normalize_filename(name).lower()).suffix in EXECUTABLE_EXTENSIONS
