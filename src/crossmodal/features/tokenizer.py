"""Tokenizers behind one small interface, and the tiny tokenizer built in code.

Feature extraction needs only three things from a tokenizer: the token ids of
a text *without* special tokens, and the ids of the start token (``<s>``,
``[CLS]``; absent in SigLIP), the end token (``</s>``, ``[SEP]``) and the
padding token. :class:`TextTokenizer` wraps either a Hugging Face tokenizer (real
checkpoints) or a ``tokenizers.Tokenizer`` built here (tiny models).

The tiny tokenizer is a byte-level BPE (the scheme RoBERTa and BridgeTower
use) whose merges are learned, deterministically, from a fixed word list
shipped in this file. Any text can be encoded (byte-level: no unknown
tokens), common words are one or two tokens and rarer words span several,
so "last token of a word" is exercised as with the real models. Special
token ids follow RoBERTa: ``<s>`` = 0, ``<pad>`` = 1, ``</s>`` = 2,
``<unk>`` = 3.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>")
BOS_ID, PAD_ID, EOS_ID, UNK_ID = 0, 1, 2, 3

# A fixed corpus for the tiny tokenizer's merges: frequent English words plus
# concrete nouns and verbs. Changing it changes the tiny models' features.
_TINY_CORPUS = """
the of and to a in is it you that he was for on are with as i his they be at
one have this from or had by hot word but what some we can out other were all
there when up use your how said an each she which do their time if will way
about many then them write would like so these her long make thing see him two
has look more day could go come did number sound no most people my over know
water than call first who may down side been now find any new work part take
get place made live where after back little only round man year came show
every good me give our under name very through just form sentence great think
say help low line differ turn cause much mean before move right boy old too
same tell does set three want air well also play small end put home read hand
port large spell add even land here must big high such follow act why ask men
change went light kind off need house picture try us again animal point mother
world near build self earth father head stand own page should country found
answer school grow study still learn plant cover food sun four between state
keep eye never last let thought city tree cross farm hard start might story saw
far sea draw left late run while press close night real life few north open
seem together next white children begin got walk example ease paper group
always music those both mark often letter until mile river car feet care second
book carry took science eat room friend began idea fish mountain stop once base
hear horse cut sure watch color face wood main enough plain girl usual young
ready above ever red list though feel talk bird soon body dog family direct
pose leave song measure door product black short numeral class wind question
happen complete ship area half rock order fire south problem piece told knew
pass since top whole king space heard best hour better true during hundred five
remember step early hold west ground interest reach fast verb sing listen six
table travel less morning ten simple several vowel toward war lay against
pattern slow center love person money serve appear road map rain rule govern
pull cold notice voice unit power town fine certain fly fall lead cry dark
machine note wait plan figure star box noun field rest correct able pound done
beauty drive stood contain front teach week final gave green oh quick develop
ocean warm free minute strong special mind behind clear tail produce fact street
inch multiply nothing course stay wheel full force blue object decide surface
deep moon island foot system busy test record boat common gold possible plane
stead dry wonder laugh thousand ago ran check game shape equate miss brought
heat snow tire bring yes distant fill east paint language among beach kitchen
window garden forest desert winter summer coffee phone camera doctor teacher
"""

N_TINY_MERGES = 400


@dataclass(frozen=True)
class TextTokenizer:
    """The part of a tokenizer that feature extraction uses.

    Parameters
    ----------
    encode : callable
        ``encode(texts: list[str]) -> list[list[int]]``, token ids of each
        text without special tokens.
    bos_id : int or None
        Id of the start token, None for tokenizers without one (SigLIP's):
        sequences are then ``ids </s>``.
    eos_id, pad_id : int
        Ids of the end and padding tokens.
    """

    encode: Callable[[list[str]], list[list[int]]]
    bos_id: int | None
    eos_id: int
    pad_id: int

    @property
    def n_special(self) -> int:
        """Special tokens around every text: 2 (start and end) or 1 (end only)."""
        return 1 if self.bos_id is None else 2

    def wrap(self, ids: list[int]) -> list[int]:
        """``<s> ids </s>`` (``ids </s>`` without a start token)."""
        return ([] if self.bos_id is None else [self.bos_id]) + list(ids) + [self.eos_id]

    @classmethod
    def from_hf(cls, hf_tokenizer) -> "TextTokenizer":
        """Wrap a Hugging Face (fast or slow) tokenizer: its own vocabulary and special tokens.

        The start token is ``bos`` or else ``cls`` (BERT's ``[CLS]``), or none
        (SigLIP); the end token is ``eos`` or else ``sep``; padding is ``pad``,
        or the end token where there is no padding token (then the attention
        mask alone marks padding).

        Raises
        ------
        ValueError
            The tokenizer has no end token (neither ``eos`` nor ``sep``).
        """

        def encode(texts: list[str]) -> list[list[int]]:
            return [list(ids) for ids in hf_tokenizer(list(texts), add_special_tokens=False)["input_ids"]]

        bos = _first_id(hf_tokenizer.bos_token_id, hf_tokenizer.cls_token_id)
        eos = _first_id(hf_tokenizer.eos_token_id, hf_tokenizer.sep_token_id)
        if eos is None:
            raise ValueError(f"tokenizer {type(hf_tokenizer).__name__} has no end token (eos or sep)")
        pad = _first_id(hf_tokenizer.pad_token_id, eos)
        return cls(encode=encode, bos_id=bos, eos_id=eos, pad_id=pad)

    @classmethod
    def from_tokenizers(cls, tokenizer, start_token: bool = True) -> "TextTokenizer":
        """Wrap a ``tokenizers.Tokenizer`` with RoBERTa's special-token ids.

        ``start_token=False`` drops ``<s>`` (sequences ``ids </s>``, as SigLIP's).
        """

        def encode(texts: list[str]) -> list[list[int]]:
            encodings = tokenizer.encode_batch(list(texts), add_special_tokens=False)
            return [list(encoding.ids) for encoding in encodings]

        return cls(encode=encode, bos_id=BOS_ID if start_token else None, eos_id=EOS_ID, pad_id=PAD_ID)


def _first_id(*ids) -> int | None:
    """The first id that is not None, as int (None when all are)."""
    return next((int(i) for i in ids if i is not None), None)


def _pairs(symbols: list[str]) -> Counter:
    return Counter(zip(symbols[:-1], symbols[1:]))


def _merge_pair(symbols: list[str], pair: tuple[str, str]) -> list[str]:
    merged, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            merged.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return merged


def _learn_merges(pretokens: Sequence[str], n_merges: int) -> list[tuple[str, str]]:
    """Learn BPE merges from pre-tokenised words, ties broken alphabetically.

    Pair counts are updated only for the words that contain the merged pair.
    """
    words = Counter(pretokens)
    segmented = {word: list(word) for word in words}
    pair_counts: Counter = Counter()
    for word, count in words.items():
        for pair, n in _pairs(segmented[word]).items():
            pair_counts[pair] += n * count
    merges: list[tuple[str, str]] = []
    for _ in range(n_merges):
        pair_counts = +pair_counts  # drop zero counts
        if not pair_counts:
            break
        best = min(pair_counts, key=lambda pair: (-pair_counts[pair], pair))
        merges.append(best)
        joined = best[0] + best[1]
        for word, count in words.items():
            symbols = segmented[word]
            if joined not in word or best not in _pairs(symbols):
                continue
            for pair, n in _pairs(symbols).items():
                pair_counts[pair] -= n * count
            segmented[word] = _merge_pair(symbols, best)
            for pair, n in _pairs(segmented[word]).items():
                pair_counts[pair] += n * count
    return merges


def build_tiny_tokenizer(n_merges: int = N_TINY_MERGES):
    """Build the tiny models' byte-level BPE tokenizer, deterministically.

    Parameters
    ----------
    n_merges : int
        Number of BPE merges learned from the built-in word list.

    Returns
    -------
    tokenizer : tokenizers.Tokenizer
        Byte-level BPE with ``<s>`` = 0, ``<pad>`` = 1, ``</s>`` = 2,
        ``<unk>`` = 3, then the 256 byte symbols, then one token per merge.
        ``len(tokenizer.get_vocab())`` is its vocabulary size.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    words = _TINY_CORPUS.split()
    # Each corpus word both sentence-initial (no space) and inside a sentence.
    pretokens = [piece for word in words for piece, _ in byte_level.pre_tokenize_str(word)]
    pretokens += [piece for word in words for piece, _ in byte_level.pre_tokenize_str(" " + word)]
    merges = _learn_merges(pretokens, n_merges)

    vocab: dict[str, int] = {token: i for i, token in enumerate(SPECIAL_TOKENS)}
    for symbol in sorted(pre_tokenizers.ByteLevel.alphabet()):
        vocab.setdefault(symbol, len(vocab))
    for left, right in merges:
        vocab.setdefault(left + right, len(vocab))

    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>"))
    tokenizer.pre_tokenizer = byte_level
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.RobertaProcessing(("</s>", EOS_ID), ("<s>", BOS_ID))
    tokenizer.add_special_tokens(list(SPECIAL_TOKENS))
    return tokenizer
