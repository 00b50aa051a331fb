// npy-compare: compares .npy files (or every .npy file of two directories)
// elementwise with |a - b| <= atol + rtol * |b|, where b is the expected
// (reference) side. Prints the worst error; exits 1 on any mismatch, NaN, or
// shape difference.
//
//   npy-compare EXPECTED ACTUAL [--rtol R] [--atol A]
#include "frontends/weights/Npy.h"
#include "ir/Type.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

using namespace netc;

static bool compareFiles(const std::string &expectedPath, const std::string &actualPath,
                         double rtol, double atol, DiagnosticEngine &diags) {
  Tensor expected, actual;
  if (!readNpy(expectedPath, expected, diags) || !readNpy(actualPath, actual, diags))
    return false;
  if (expected.shape != actual.shape) {
    llvm::outs() << "MISMATCH " << actualPath << ": shape " << shapeStr(actual.shape)
                 << ", expected " << shapeStr(expected.shape) << "\n";
    return false;
  }
  double worstAbs = 0, worstRatio = 0;
  int64_t worstIndex = -1, bad = 0;
  for (size_t i = 0; i < expected.data.size(); ++i) {
    double e = expected.data[i], a = actual.data[i];
    double diff = std::fabs(a - e);
    double allowed = atol + rtol * std::fabs(e);
    bool ok = !std::isnan(a) && !std::isnan(e) && diff <= allowed;
    if (!ok)
      ++bad;
    double ratio = std::isnan(diff) ? INFINITY : diff / allowed;
    if (ratio > worstRatio || worstIndex < 0) {
      worstRatio = ratio;
      worstIndex = (int64_t)i;
    }
    worstAbs = std::max(worstAbs, std::isnan(diff) ? INFINITY : diff);
  }
  llvm::outs() << (bad ? "MISMATCH " : "OK ") << llvm::sys::path::filename(actualPath) << ": "
               << expected.data.size() << " values, max abs error " << worstAbs;
  if (bad)
    llvm::outs() << ", " << bad << " outside atol=" << atol << " rtol=" << rtol << "; worst at "
                 << worstIndex << ": expected " << expected.data[worstIndex] << ", got "
                 << actual.data[worstIndex];
  llvm::outs() << "\n";
  return bad == 0;
}

int main(int argc, char **argv) {
  std::vector<std::string> paths;
  double rtol = 1e-4, atol = 1e-5;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--rtol" && i + 1 < argc)
      rtol = std::atof(argv[++i]);
    else if (arg == "--atol" && i + 1 < argc)
      atol = std::atof(argv[++i]);
    else
      paths.push_back(arg);
  }
  if (paths.size() != 2) {
    llvm::errs() << "usage: npy-compare EXPECTED ACTUAL [--rtol R] [--atol A]\n";
    return 2;
  }
  DiagnosticEngine diags;
  bool ok = true;
  if (llvm::sys::fs::is_directory(paths[0])) {
    std::error_code ec;
    int files = 0;
    for (llvm::sys::fs::directory_iterator it(paths[0], ec), end; it != end && !ec;
         it.increment(ec)) {
      if (llvm::sys::path::extension(it->path()) != ".npy")
        continue;
      ++files;
      std::string name = llvm::sys::path::filename(it->path()).str();
      ok &= compareFiles(it->path(), paths[1] + "/" + name, rtol, atol, diags);
    }
    if (files == 0) {
      llvm::errs() << "npy-compare: error: no .npy files in " << paths[0] << "\n";
      return 1;
    }
  } else {
    ok = compareFiles(paths[0], paths[1], rtol, atol, diags);
  }
  return ok ? 0 : 1;
}
