import Engine
enum PersistencePlaceholder {}
