"""Writes models that nest or chain far past what networks need, for
limits.test: the parser and every walk over an expression recurse per level,
so these once exhausted the stack (or, for long chains, took cubic time)."""
import sys

out = sys.argv[1]


def model(name, statement, blocks=""):
    with open(f"{out}/{name}.nn", "w") as f:
        f.write(blocks + "model m {\n  input x: f32[N, 4]\n  " + statement + "\n}\n")


depth = 30000
model("nested-calls", "output y = " + "relu(" * depth + "x" + ")" * depth)
model("nested-seq", "output y = x |> " + "seq(" * depth + "relu" + ")" * depth)
model("nested-repeat", "output y = x |> " + "repeat(1, " * depth + "relu" + ")" * depth)
model("long-chain", "output y = x" + " |> relu" * depth)
# The longest chain allowed: fast, since naming a layer no longer retries
# every suffix before it.
model("chain-4096", "output y = x" + " |> relu" * 4096)
model("repeat-huge", "output y = x |> repeat(2147483648, relu)")
model("repeat-nested", "output y = x |> repeat(200, repeat(200, relu))")
blocks = "".join(f"block b{i}(x) {{\n  return b{i + 1}(x)\n}}\n" for i in range(depth))
blocks += f"block b{depth}(x) {{\n  return relu(x)\n}}\n"
model("block-chain", "output y = b0(x)", blocks)
