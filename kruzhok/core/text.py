"""Text folding shared by search and duplicate detection.

``fold`` maps a string to a key in which the usual variants meet: case, «ё»/«е», Kazakh letters typed
as their Russian lookalikes (ә→а, ғ→г, қ→к, ң→н, ө→о, ұ→у, ү→у, һ→х, і→и), Latin lookalikes and
punctuation. It is used on both sides — the stored document and the query — so a parent typing
«Кокшетау» finds «Көкшетау».
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({
    "ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
    "й": "и",
})
_NON_WORD = re.compile(r"[^0-9a-zа-я]+")


def fold(text: str) -> str:
    """Lower-case, fold Kazakh and «ё» variants, keep letters and digits separated by single spaces."""
    text = unicodedata.normalize("NFC", text or "").lower().translate(_FOLD)
    return _NON_WORD.sub(" ", text).strip()
