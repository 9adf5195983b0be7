"""The example's network: two 5x5 convolutions with max pooling, then two dense layers (Fashion-MNIST's 2-conv baseline)."""
import torch
from torch import nn


class FashionCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """`x`: float32 [N, 1, 28, 28] scaled to [0, 1]; returns logits [N, 10]."""
        return self.classifier(self.features(x))


def images_to_input(images) -> torch.Tensor:
    """uint8 images [N, 28, 28, 1] (as the store keeps them) → float32 [N, 1, 28, 28] in [0, 1]."""
    x = torch.as_tensor(images)
    return x.permute(0, 3, 1, 2).float().div_(255.0)
