"""The engine of facteur: the pipeline's stages (inputs, extraction,
validation, outputs, hub), the durable runtime around it, and the use cases
any face offers. Its public surface for faces is `facteur.engine.operations`
(see its `__all__`); the engine never imports `facteur.adapters`.
"""
