"""Acceptance test of the PyTorch-named classes: a ResNet-18 (BasicBlocks as torchvision
defines them, on the 3x3 stem used for 32x32 images) written with torch.nn, rebuilt with layerforge.nn by changing the class names,
its state_dict loaded with load_torch_state_dict; the output and every parameter gradient of
one training step (batch statistics, cross-entropy loss) equal PyTorch's in float64 within
rtol 1e-9 (sums of a few thousand terms in a different order: about 1e-12 relative, with
room for cancellation in the gradients of the first layers)."""

from __future__ import annotations

import numpy as np
import torch

from layerforge import nn

TOL = dict(rtol=1e-9, atol=1e-12)


class TorchBasicBlock(torch.nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(planes)
        self.relu = torch.nn.ReLU(inplace=True)
        self.conv2 = torch.nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class TorchResNet18(torch.nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.inplanes = 64
        self.conv1 = torch.nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(64)
        self.relu = torch.nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(64, 1)
        self.layer2 = self._make_layer(128, 2)
        self.layer3 = self._make_layer(256, 2)
        self.layer4 = self._make_layer(512, 2)
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(512, num_classes)

    def _make_layer(self, planes, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = torch.nn.Sequential(
                torch.nn.Conv2d(self.inplanes, planes, 1, stride=stride, bias=False), torch.nn.BatchNorm2d(planes)
            )
        blocks = [TorchBasicBlock(self.inplanes, planes, stride, downsample), TorchBasicBlock(planes, planes)]
        self.inplanes = planes
        return torch.nn.Sequential(*blocks)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class BasicBlock(nn.Module):
    """The same block with layerforge's classes; backward runs the layers in reverse and
    adds the two paths' gradients where they met."""

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False, dtype=np.float64)
        self.bn1 = nn.BatchNorm2d(planes, dtype=np.float64)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False, dtype=np.float64)
        self.bn2 = nn.BatchNorm2d(planes, dtype=np.float64)
        self.downsample = downsample
        self.join = nn.Add(activation="relu")

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.join(self.bn2(self.conv2(out)), identity)

    def backward(self, grad):
        grad_out, grad_identity = self.join.backward(grad)
        grad_x = self.conv1.backward(self.bn1.backward(self.relu.backward(self.conv2.backward(self.bn2.backward(grad_out)))))
        if self.downsample is not None:
            grad_identity = self.downsample.backward(grad_identity)
        return grad_x + grad_identity


class ResNet18(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False, dtype=np.float64)
        self.bn1 = nn.BatchNorm2d(64, dtype=np.float64)
        self.relu = nn.ReLU()
        self.layer1 = self._make_layer(64, 1)
        self.layer2 = self._make_layer(128, 2)
        self.layer3 = self._make_layer(256, 2)
        self.layer4 = self._make_layer(512, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(512, num_classes, dtype=np.float64)

    def _make_layer(self, planes, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes, 1, stride=stride, bias=False, dtype=np.float64),
                nn.BatchNorm2d(planes, dtype=np.float64),
            )
        blocks = [BasicBlock(self.inplanes, planes, stride, downsample), BasicBlock(planes, planes)]
        self.inplanes = planes
        return nn.Sequential(*blocks)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.flatten(self.avgpool(x)))

    def backward(self, grad):
        grad = self.avgpool.backward(self.flatten.backward(self.fc.backward(grad)))
        grad = self.layer1.backward(self.layer2.backward(self.layer3.backward(self.layer4.backward(grad))))
        return self.conv1.backward(self.bn1.backward(self.relu.backward(grad)))


def test_resnet18_training_step_equals_pytorch():
    torch.manual_seed(0)
    theirs = TorchResNet18().double().train()
    ours = ResNet18().train()
    nn.load_torch_state_dict(ours, theirs.state_dict())
    assert list(ours.named_parameters()) == [name for name, _ in theirs.named_parameters()]

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 32, 32))
    labels = np.array([3, 7])
    logits = theirs(torch.tensor(x))
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    loss.backward()

    criterion = nn.CrossEntropyLoss()
    y = ours(x)
    np.testing.assert_allclose(y, logits.detach().numpy(), **TOL)
    assert abs(criterion(y, labels) - loss.item()) <= 1e-9 * abs(loss.item())
    ours.backward(criterion.backward())
    expected = dict(theirs.named_parameters())
    for (name, _), grad in zip(ours.named_parameters().items(), ours.gradients()):
        np.testing.assert_allclose(grad, expected[name].grad.numpy(), err_msg=name, **TOL)
    running = {name: value for name, value in theirs.state_dict().items() if "running" in name}
    for name, value in ours.named_buffers().items():
        np.testing.assert_allclose(value, running[name].numpy(), err_msg=name, **TOL)
