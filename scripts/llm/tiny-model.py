#!/usr/bin/env python3
"""Writes a tiny llama-architecture GGUF model with random weights (about 1 MB) for the tests: an
OpenAI-compatible server (llama.cpp's, through llama-cpp-python) can load and serve it, and what it
writes is gibberish by construction — which is what the composer's guardrails must refuse.

    python3 scripts/llm/tiny-model.py OUT.gguf [SEED]
Needs PyPI `gguf` and `numpy`."""
import sys

import numpy as np
import gguf


def main() -> None:
    out = sys.argv[1]
    rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 20261126)
    n_embd, n_ff, n_layer, n_head, ctx = 64, 128, 2, 4, 8192
    # A SentencePiece-style vocabulary: control tokens, every byte (so any text can be read), and
    # some word pieces.
    words = ("the and to of a is for your you we please this on in our are it be with by that have has or at as thank invoice payment "
             "reply hello hi paid due load freight balance week today call email text stop unsubscribe team").split()
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["\u2581" + w for w in words] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + [gguf.TokenType.BYTE] * 256 + \
            [gguf.TokenType.NORMAL] * (len(tokens) - 259)
    scores = [0.0, 0.0, 0.0] + [-1000.0] * 256 + [-float(i) for i in range(len(tokens) - 259)]
    n_vocab = len(tokens)

    w = gguf.GGUFWriter(out, "llama")
    w.add_name("overdue-test-tiny-random")
    w.add_context_length(ctx)
    w.add_embedding_length(n_embd)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(n_embd // n_head)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)

    def t(*shape):
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    w.add_tensor("token_embd.weight", t(n_vocab, n_embd))
    for i in range(n_layer):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            w.add_tensor(f"blk.{i}.{name}.weight", t(n_embd, n_embd))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        w.add_tensor(f"blk.{i}.ffn_gate.weight", t(n_ff, n_embd))
        w.add_tensor(f"blk.{i}.ffn_up.weight", t(n_ff, n_embd))
        w.add_tensor(f"blk.{i}.ffn_down.weight", t(n_embd, n_ff))
    w.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    w.add_tensor("output.weight", t(n_vocab, n_embd))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"wrote {out}: llama, {n_layer} layers, {n_embd} wide, {n_vocab} tokens, random weights", file=sys.stderr)


if __name__ == "__main__":
    main()
