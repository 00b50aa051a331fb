// Prints the textual graph IR that IRParser reads back (print → parse → print is identical).
#pragma once

#include <llvm/Support/raw_ostream.h>

#include <string>

namespace netc {
class Graph;
class Op;

void printGraph(const Graph &graph, llvm::raw_ostream &os);
std::string graphToString(const Graph &graph);
/// One op as it appears inside a graph body, without indentation or newline.
std::string opToString(const Op &op);
} // namespace netc
