#include "compiler/ops/WinogradTransform.h"

#include "ir/Attribute.h"

namespace netc {

const WinogradTransform *winogradTransform(int outputTile) {
  // Interpolation points 0, 1, -1 (and infinity). Larger tiles (F(4x4, 3x3)
  // with points +-2, +-1/2: 4x fewer products) ran no faster here with the
  // input transform inlined, and round worse.
  static const WinogradTransform f2{
      2,
      4,
      {1, 0, -1, 0, //
       0, 1, 1, 0,  //
       0, -1, 1, 0, //
       0, 1, 0, -1},
      {1, 0, 0,       //
       0.5, 0.5, 0.5, //
       0.5, -0.5, 0.5, //
       0, 0, 1},
      {1, 1, 1, 0, //
       0, 1, -1, -1}};
  return outputTile == 2 ? &f2 : nullptr;
}

bool poolsWinogradTiles(const AttrMap &attrs, int outputTile) {
  const std::vector<int64_t> tile = {outputTile, outputTile};
  for (int64_t pad : attrs.getInts("pool_pad"))
    if (pad != 0)
      return false;
  return attrs.getInts("pool_kernel") == tile && attrs.getInts("pool_stride") == tile &&
         !attrs.getBool("pool_ceil_mode");
}

} // namespace netc
