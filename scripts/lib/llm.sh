# A real OpenAI-compatible model server on loopback for the model composer's tests (sourced, not
# run): llama.cpp's server through PyPI `llama-cpp-python[server]` (built from source once, ~8 min on
# 2 cores; pip keeps the built wheel in its cache for the next run), serving a tiny random-weight
# llama model written at test time by scripts/llm/tiny-model.py. Sets OVERDUE_TEST_LLM_URL.
llm_pid=""
stop_llm() { [ -n "$llm_pid" ] && kill "$llm_pid" 2>/dev/null; true; }
start_llm_server() {
    if [ -n "${OVERDUE_TEST_LLM_URL:-}" ]; then return 0; fi
    python3 -c "import gguf, numpy" 2>/dev/null || python3 -m pip install -q --root-user-action=ignore gguf numpy
    if ! python3 -c "import llama_cpp.server" 2>/dev/null; then
        echo "== building llama-cpp-python (llama.cpp's server; first time only, ~8 min on 2 cores) =="
        CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" python3 -m pip install -q --root-user-action=ignore "llama-cpp-python[server]" || {
            echo "warning: llama-cpp-python could not be installed; the model-server tests will not run (they are required in CI)" >&2
            return 0
        }
    fi
    local dir port
    dir=$(mktemp -d /tmp/overdue-llm.XXXXXX)
    python3 scripts/llm/tiny-model.py "$dir/tiny.gguf" 2>>"$dir/server.log"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    python3 -m llama_cpp.server --model "$dir/tiny.gguf" --model_alias tiny-random --chat_format chatml-function-calling --n_ctx 8192 \
        --host 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
    llm_pid=$!
    for _ in $(seq 1 120); do
        if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/v1/models', timeout=1)" 2>/dev/null; then
            export OVERDUE_TEST_LLM_URL="http://127.0.0.1:$port/v1"
            echo "== model server (llama.cpp, tiny random model) on 127.0.0.1:$port =="
            return 0
        fi
        sleep 0.5
    done
    echo "warning: the model server did not start (see $dir/server.log)" >&2
    tail -20 "$dir/server.log" >&2 || true
}
