/**
 * Vision models of the zoo with torchvision's structure and parameter names, so that a
 * torchvision {@code state_dict} loads by name: {@link dev.jasg.models.vision.ResNet}
 * (resnet18/34/50) and {@link dev.jasg.models.vision.MobileNetV2}.
 */
package dev.jasg.models.vision;
