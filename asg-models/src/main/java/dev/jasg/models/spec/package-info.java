/**
 * The zoo as model specs ({@link dev.jasg.nn.spec.ModelSpec}): {@link dev.jasg.models.spec.ZooSpecs} writes
 * ResNet-18 and MobileNetV2 as spec graphs whose built models take the zoo's (torchvision's) weights by name,
 * for the viewer's builder templates.
 */
package dev.jasg.models.spec;
