"""Content-Encoding decoding (gzip, deflate) with an output cap: a compression bomb never
inflates past the caller's limit."""

from __future__ import annotations

import zlib


# -- decoding -------------------------------------------------------------------------------------
class BadEncoding(Exception):
    pass


class BodyDecoder:
    """Incremental Content-Encoding decoding (identity, gzip incl. multi-member, deflate) whose
    output per call is capped, so a compression bomb never inflates past the caller's limit."""

    def __init__(self, header: str | None):
        codings = [c.strip().lower() for c in (header or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise BadEncoding(f"unsupported Content-Encoding: {header}")
        self.kind = codings[0] if codings else None
        self._raw_deflate = False
        self._done = False
        self._d = self._new()

    def _new(self):  # noqa: ANN202 - zlib's Decompress type is private
        if self.kind in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> bytes:
        if self.kind is None:
            return data
        out = bytearray()
        while data and len(out) < limit and not self._done:
            try:
                piece = self._d.decompress(data, limit - len(out))
            except zlib.error as exc:
                if self.kind == "deflate" and not self._raw_deflate and not out:
                    self._raw_deflate = True  # raw deflate sent without the zlib header
                    self._d = self._new()
                    continue
                raise BadEncoding(f"corrupt {self.kind} body ({exc})") from exc
            out += piece
            if self._d.eof:
                data = self._d.unused_data
                if self.kind == "deflate" or not data.strip(b"\0"):
                    self._done = True  # trailing garbage is ignored, as browsers do
                else:
                    self._d = self._new()  # next gzip member
            else:
                data = self._d.unconsumed_tail
        return bytes(out)
