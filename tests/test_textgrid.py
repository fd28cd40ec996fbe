"""TextGrid word tiers: long and short formats, fillers, bad phone tiers, errors."""


import numpy as np
import pytest

from crossmodal.data import read_word_events
from crossmodal.data.textgrid import is_filler
from crossmodal.errors import InputError

LONG = '''File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 3
tiers? <exists>
size = 2
item []:
    item [1]:
        class = "IntervalTier"
        name = "phone"
        xmin = 0
        xmax = 3
        intervals: size = 3
        intervals [1]:
            xmin = 0
            xmax = 1.5
            text = "HH"
        intervals [2]:
            xmin = 1.0
            xmax = 2
            text = "AY"
        intervals [3]:
            xmin = 2
            xmax = 3
            text = "W"
    item [2]:
        class = "IntervalTier"
        name = "word"
        xmin = 0
        xmax = 3
        intervals: size = 5
        intervals [1]:
            xmin = 0
            xmax = 0.5
            text = "sp"
        intervals [2]:
            xmin = 0.5
            xmax = 1
            text = "{BR}"
        intervals [3]:
            xmin = 1
            xmax = 2
            text = "HELLO"
        intervals [4]:
            xmin = 2
            xmax = 2.5
            text = "world"
        intervals [5]:
            xmin = 2.5
            xmax = 3
            text = "Sentence_End"
'''

SHORT = '''File type = "ooTextFile"
Object class = "TextGrid"

0
3
<exists>
2
"IntervalTier"
"phone"
0
3
1
0
3
"X"
"IntervalTier"
"word"
0
3
3
0
1
"lg"
1
2.5
"there"
2.5
3
"IT"
'''


def test_long_format_with_overlapping_phones_and_fillers(tmp_path):
    path = tmp_path / "story.TextGrid"
    path.write_text(LONG)
    events = read_word_events(path)
    assert events.words.tolist() == ["HELLO", "world"]
    np.testing.assert_allclose(events.onsets, [1.0, 2.0])
    np.testing.assert_allclose(events.offsets, [2.0, 2.5])
    np.testing.assert_allclose(events.times, [1.5, 2.25])


def test_short_format(tmp_path):
    path = tmp_path / "short.TextGrid"
    path.write_text(SHORT)
    events = read_word_events(path)
    assert events.words.tolist() == ["there", "IT"]
    np.testing.assert_allclose(events.times, [1.75, 2.75])


def test_utf16_file(tmp_path):
    path = tmp_path / "utf16.TextGrid"
    path.write_bytes(LONG.encode("utf-16"))
    assert read_word_events(path).words.tolist() == ["HELLO", "world"]


@pytest.mark.parametrize("token", ["sp", "SP", "{LG}", "{ns}", "br", "ls", "sentence_start", " {BR} ", ""])
def test_fillers(token):
    assert is_filler(token)


@pytest.mark.parametrize("token", ["spoon", "brother", "{word}", "a"])
def test_not_fillers(token):
    assert not is_filler(token)


def test_no_word_tier(tmp_path):
    path = tmp_path / "one_tier.TextGrid"
    one_tier = LONG.split("    item [2]:")[0].replace("size = 2", "size = 1")
    path.write_text(one_tier)
    with pytest.raises(InputError, match=r"one_tier.TextGrid: has no word tier at position 2 \(tiers: \['phone'\]\)\. The word tier must be the second tier"):
        read_word_events(path)


def test_missing_textgrid(tmp_path):
    with pytest.raises(InputError, match=r"missing.TextGrid: TextGrid not found\. Check data.stories.root"):
        read_word_events(tmp_path / "missing.TextGrid")


def test_synthetic_textgrids_match_simulated_words(small_dataset):
    """Every synthetic TextGrid (long, short, overlapping phones) reads back its words."""
    folder = small_dataset.stories_root / "derivative" / "TextGrids"
    texts = {p.stem: p.read_text() for p in folder.glob("*.TextGrid")}
    assert any(not t.splitlines()[3].startswith("xmin") for t in texts.values()), "one file is in the short format"
    for path in folder.glob("*.TextGrid"):
        events = read_word_events(path)
        assert len(events) > 50
        assert not any(is_filler(w) for w in events.words)
        assert np.all(np.diff(events.onsets) > 0)
