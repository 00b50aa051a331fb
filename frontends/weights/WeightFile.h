// Weight files by extension: the one entry point tools use to load or save a
// model's named weights.
//
//   .npz          numpy.savez / numpy.savez_compressed archives (Npz.h)
//   .safetensors  Hugging Face safetensors (Safetensors.h)
//
// A bare .npy holds one unnamed array, so it cannot carry a model's weights; it is
// rejected with a hint rather than guessed at.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Tensor.h"

#include <map>
#include <string>

namespace netc {

/// Loads all named tensors of `path`, picking the format from its extension.
bool loadWeightFile(const std::string &path, std::map<std::string, Tensor> &out,
                    DiagnosticEngine &diags);

/// Saves `tensors` to `path` as float32, picking the format from its extension.
bool saveWeightFile(const std::string &path, const std::map<std::string, Tensor> &tensors,
                    DiagnosticEngine &diags);

} // namespace netc
