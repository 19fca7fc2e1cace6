/**
 * The model zoo: known architectures built in one call with the parameter names of torchvision and
 * Hugging Face, so their weights load by name ({@code ResNet}, {@code MobileNetV2},
 * {@code VisionTransformer}, {@code Gpt2}), tokenizers, and the inference path.
 */
package dev.jasg.models;
