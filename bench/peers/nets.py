"""PyTorch twins of the whole networks in examples/models/*.nn.

Each is written by hand from the .nn file (not from torchvision, so the peer
benchmark needs no python3-torchvision): the same layers, shapes, activations
and pooling, softmax where the .nn ends in one, batchnorm in eval mode. The
driver checks at run time that each twin has the parameter count and the conv
+ dense FLOPs netc reports for the .nn file.
"""

import warnings

import torch
from torch import nn

# Input shape (C, H, W) of each network, as its .nn file declares it.
INPUT_SHAPES = {
    "mlp2": (3, 32, 32),
    "lenet5": (1, 28, 28),
    "cifar10": (3, 32, 32),
    "resnet18": (3, 224, 224),
    "vgg16": (3, 224, 224),
    "mobilenet": (3, 128, 128),
    "alexnet": (3, 227, 227),
    "googlenet": (3, 224, 224),
}


def mlp2():
    return nn.Sequential(nn.Flatten(), nn.Linear(3072, 100), nn.ReLU(), nn.Linear(100, 10))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.Tanh(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10), nn.Softmax(dim=1),
    )  # fmt: skip


def cifar10():
    def stage(cin, cout):
        return [nn.Conv2d(cin, cout, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2)]

    return nn.Sequential(
        *stage(3, 16), *stage(16, 20), *stage(20, 20),
        nn.Flatten(), nn.Linear(320, 10), nn.Softmax(dim=1),
    )  # fmt: skip


class BasicBlock(nn.Module):
    """resnet18.nn's `basic` (stride 1, identity shortcut) and `basic_down`."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        # An empty Sequential keeps forward() TorchScript-friendly (no Optional).
        self.downsample = nn.Sequential()
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + self.downsample(x))


def resnet18():
    return nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(3, 2, 1),
        BasicBlock(64, 64), BasicBlock(64, 64),
        BasicBlock(64, 128, 2), BasicBlock(128, 128),
        BasicBlock(128, 256, 2), BasicBlock(256, 256),
        BasicBlock(256, 512, 2), BasicBlock(512, 512),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000),
    )  # fmt: skip


def vgg16():
    layers, cin = [], 3
    for width, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(convs):
            layers += [nn.Conv2d(cin, width, 3, padding=1), nn.ReLU()]
            cin = width
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(
        *layers, nn.Flatten(),
        nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 1000),
    )  # fmt: skip


def mobilenet():
    """mobilenet.nn: MobileNet v1, width 0.25, 128x128 input."""

    def conv_bn(cin, cout, kernel, stride=1, pad=0, groups=1):
        return [
            nn.Conv2d(cin, cout, kernel, stride, pad, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(),
        ]

    def separable(cin, cout, stride=1):
        return conv_bn(cin, cin, 3, stride, 1, groups=cin) + conv_bn(cin, cout, 1)

    layers = conv_bn(3, 8, 3, 2, 1)
    for cin, cout, stride in (
        (8, 16, 1), (16, 32, 2), (32, 32, 1), (32, 64, 2), (64, 64, 1), (64, 128, 2),
        *[(128, 128, 1)] * 5,
        (128, 256, 2), (256, 256, 1),
    ):  # fmt: skip
        layers += separable(cin, cout, stride)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, 1000))


class _LrnNode(torch.autograd.Function):
    """LRN that torch.onnx.export writes as one ONNX LRN node."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        return nn.functional.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        with warnings.catch_warnings():
            # torch 1.13 calls g.op deprecated and names no replacement.
            warnings.simplefilter("ignore", FutureWarning)
            return g.op("LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class LocalResponseNorm(nn.LocalResponseNorm):
    """PyTorch's LRN, exported as one ONNX LRN node: its own export pads by a
    computed width, which OpenCV 4.6's ONNX importer rejects."""

    def forward(self, x):
        if not torch.jit.is_scripting():
            if torch.onnx.is_in_onnx_export():
                return self._onnx_node(x)
        return nn.functional.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    @torch.jit.unused
    def _onnx_node(self, x):
        return _LrnNode.apply(x, self.size, self.alpha, self.beta, self.k)


def alexnet():
    """alexnet.nn: Caffe's BVLC AlexNet, with its grouped convs and LRN."""

    def lrn():
        # Like Caffe and netc's lrn, PyTorch divides alpha by the size.
        return LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)

    return nn.Sequential(
        nn.Conv2d(3, 96, 11, 4), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(),
        nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 1000), nn.Softmax(dim=1),
    )  # fmt: skip


def _basic_conv(cin, cout, kernel, stride=1, pad=0):
    """googlenet.nn's basic_conv (torchvision's BasicConv2d)."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, pad, bias=False),
        nn.BatchNorm2d(cout, eps=0.001),
        nn.ReLU(),
    )


class Inception(nn.Module):
    """googlenet.nn's inception block: four branches, concatenated."""

    def __init__(self, cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = _basic_conv(cin, ch1x1, 1)
        self.branch2 = nn.Sequential(_basic_conv(cin, ch3x3red, 1),
                                     _basic_conv(ch3x3red, ch3x3, 3, pad=1))
        # A 3x3 kernel in the "5x5" branch, as torchvision's.
        self.branch3 = nn.Sequential(_basic_conv(cin, ch5x5red, 1),
                                     _basic_conv(ch5x5red, ch5x5, 3, pad=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True),
                                     _basic_conv(cin, pool_proj, 1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


def googlenet():
    """googlenet.nn: torchvision's GoogLeNet without the auxiliary classifiers."""
    return nn.Sequential(
        _basic_conv(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, ceil_mode=True),
        _basic_conv(64, 64, 1), _basic_conv(64, 192, 3, pad=1), nn.MaxPool2d(3, 2, ceil_mode=True),
        Inception(192, 64, 96, 128, 16, 32, 32),
        Inception(256, 128, 128, 192, 32, 96, 64),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        Inception(480, 192, 96, 208, 16, 48, 64),
        Inception(512, 160, 112, 224, 24, 64, 64),
        Inception(512, 128, 128, 256, 24, 64, 64),
        Inception(512, 112, 144, 288, 32, 64, 64),
        Inception(528, 256, 160, 320, 32, 128, 128),
        nn.MaxPool2d(2, 2, ceil_mode=True),
        Inception(832, 256, 160, 320, 32, 128, 128),
        Inception(832, 384, 192, 384, 48, 128, 128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1024, 1000),
    )  # fmt: skip


BUILDERS = {
    "mlp2": mlp2,
    "lenet5": lenet5,
    "cifar10": cifar10,
    "resnet18": resnet18,
    "vgg16": vgg16,
    "mobilenet": mobilenet,
    "alexnet": alexnet,
    "googlenet": googlenet,
}
