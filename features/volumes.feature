Feature: Data that outlives containers
  MongoDB's files in a named volume survive the container that wrote them.

  @named-volume
  Scenario: The posts survive a new database container
    Given container "lab-db" from image "lab/mongo:v1" keeps running
    Then container "lab-db" keeps "/data/db" in the named volume "lab-data"
    And container "lab-db" publishes port 27017/tcp on host port 27018
    And MongoDB in container "lab-db" answers a ping at "mongodb://127.0.0.1:27018" within 15 seconds
    And the collection "posts" of database "posts" there holds at least 1 document
    And container "lab-db" was created after the first of those documents was inserted
