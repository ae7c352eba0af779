-- The example shop database that database-server.mjs serves (loaded into memory at start).
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), item TEXT NOT NULL, amount REAL NOT NULL, placed_on TEXT NOT NULL);

INSERT INTO customers (id, name, city) VALUES
  (1, 'Ada Lovelace', 'London'),
  (2, 'Grace Hopper', 'New York'),
  (3, 'Katherine Johnson', 'Hampton');

INSERT INTO orders (id, customer_id, item, amount, placed_on) VALUES
  (1, 1, 'Analytical engine manual', 42.00, '2025-01-14'),
  (2, 2, 'Compiler handbook', 35.50, '2025-02-02'),
  (3, 2, 'Nanosecond wire', 3.25, '2025-02-20'),
  (4, 3, 'Orbital mechanics tables', 58.00, '2025-03-09'),
  (5, 1, 'Punched cards (box)', 12.75, '2025-03-30');
