-- Poseidon from SQL: Plonky2's known answers and input validation.
CREATE EXTENSION por;

-- all zeros and 0..11 (Plonky2 test vectors, here in decimal)
SELECT por_poseidon_permute(array_fill(0::numeric, ARRAY[12]));
SELECT por_poseidon_permute(ARRAY(SELECT g::numeric FROM generate_series(0, 11) g));
-- all p-1
SELECT por_poseidon_permute(array_fill(18446744069414584320::numeric, ARRAY[12]));

-- hash_no_pad: no input is the zero digest; 8 inputs are one permutation of in || 0^4
SELECT encode(por_poseidon_hash('{}'), 'hex');
SELECT encode(por_poseidon_hash(ARRAY[1,2,3,4,5,6,7,8]::numeric[]), 'hex') AS digest8;
SELECT (por_poseidon_permute(ARRAY[1,2,3,4,5,6,7,8,0,0,0,0]::numeric[]))[1:4] AS permuted_first4;
SELECT encode(por_poseidon_hash(ARRAY[1,2,3,4,5,6,7,8,9]::numeric[]), 'hex') AS digest9;

-- bad input
SELECT por_poseidon_permute(ARRAY[1,2,3]::numeric[]);
SELECT por_poseidon_permute(array_fill(18446744069414584321::numeric, ARRAY[12]));
SELECT por_poseidon_hash(ARRAY[-1]::numeric[]);
SELECT por_poseidon_hash(ARRAY[1.5]::numeric[]);
SELECT por_poseidon_hash(ARRAY[1, NULL]::numeric[]);
SELECT por_poseidon_hash(ARRAY['NaN']::numeric[]);
SELECT por_poseidon_hash(ARRAY[[1,2],[3,4]]::numeric[]);
