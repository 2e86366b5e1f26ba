"""A minimal, valid PDF writer: A6 pages of text in the standard Helvetica font."""


def _escape(text):
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build_pdf(pages):
    """``pages``: list of pages, each a list of text lines. Answer the PDF bytes."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    width, height = 298, 420  # A6 in points
    n = len(pages)
    # objects: 1 catalog, 2 pages, 3 font, then per page: page object, content stream
    page_ids = [4 + 2 * k for k in range(n)]
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: (
            "<< /Type /Pages /Kids [{}] /Count {} >>".format(
                " ".join(f"{pid} 0 R" for pid in page_ids), n
            )
        ).encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for k, lines in enumerate(pages):
        pid = page_ids[k]
        ops = ["BT", "/F1 14 Tf", f"16 {height - 30} Td", "16 TL"]
        for index, line in enumerate(lines):
            if index == 1:
                ops.append("/F1 9 Tf")
                ops.append("12 TL")
            ops.append(f"({_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects[pid] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {pid + 1} 0 R >>"
        ).encode()
        objects[pid + 1] = (
            f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n".encode()
    out += b"0000000000 65535 f \n"
    for num in range(1, size):
        out += f"{offsets[num]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
